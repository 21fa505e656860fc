/*
 * virtdrive preload shim: shared declarations.
 *
 * The shim makes two paths (by default /dev/sr9, block 11:9, and /dev/sg9, char 21:9) look
 * like an MMC drive to an unmodified program, and forwards every SG_IO on them to
 * `virtdrive serve` over a Unix socket (the wire format is documented in
 * crates/virtdrive/src/serve/protocol.rs). Each open() of a drive path is one connection; the
 * descriptor the program gets is a real one on a marker file of the node's own next to the
 * socket (vd_real_open_marker), so fcntl locks, select and close-on-exec behave and an exec'd
 * image recognises it. docs/virtdrive-run.md says what each client needs of it.
 */
#ifndef VIRTDRIVE_SHIM_H
#define VIRTDRIVE_SHIM_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <scsi/sg.h>

#define VD_EXPORT __attribute__((visibility("default")))
#define VD_HIDDEN __attribute__((visibility("hidden")))

/* Fake descriptors are real ones below this number (see vd_is_fake). */
#define VD_FD_LIMIT 4096
#define VD_DEFAULT_TIMEOUT (60 * 100) /* SG_DEFAULT_TIMEOUT: 60 s in USER_HZ ticks */
#define VD_DEFAULT_RESERVED 32768     /* SG_DEF_RESERVED_SIZE */
/* The most data one SG_IO may carry (protocol.rs MAX_DATA). */
#define VD_MAX_DATA (16u * 1024u * 1024u)

enum vd_node_kind { VD_BLOCK = 0, VD_CHAR = 1 };

struct vd_node {
    char path[256];
    enum vd_node_kind kind;
    unsigned minor;
    /* The empty file beside the socket that the node's descriptors are opened on (empty
     * string: none, /dev/null is used). A descriptor on it is recognised again after exec(). */
    char marker[256];
};

/* One rule of VIRTDRIVE_SHIM_FAIL (see run.rs): SG_IO calls it matches fail as it says. */
enum vd_fail_kind { VD_FAIL_ERRNO = 0, VD_FAIL_HOST = 1, VD_FAIL_DRIVER = 2 };

struct vd_fail_rule {
    int opcode;            /* -1: every SG_IO counts; else only those with this opcode */
    unsigned nth;          /* the first matching call it applies to, 1-based */
    unsigned count;        /* how many matching calls from there on */
    enum vd_fail_kind kind;
    int value;             /* the errno, or the host_status / driver_status */
};

#define VD_MAX_FAIL_RULES 16

struct vd_config {
    int enabled;           /* VIRTDRIVE_SOCKET is set */
    char socket[108];      /* sun_path */
    struct vd_node nodes[2];
    int address[4];        /* host, channel, target, lun */
    int trace;             /* VIRTDRIVE_SHIM_TRACE */
    /* VIRTDRIVE_SHIM_MAX_TRANSFER: the most bytes one SG_IO data phase may carry, as a
     * host adapter limits it (VD_MAX_DATA when unset). */
    uint32_t max_transfer;
    struct vd_fail_rule fail[VD_MAX_FAIL_RULES];   /* VIRTDRIVE_SHIM_FAIL */
    int fail_count;
    char sysfs[256];       /* VIRTDRIVE_SYSFS: the drive's sysfs entries (empty: none) */
    /* VIRTDRIVE_SHIM_SLEEP_DIVISOR: the program's sleeps last 1/N as long (shim_sleep.c);
     * 1 when unset. */
    unsigned sleep_divisor;
};

/* One open() of a drive path, shared by its dup()s and, after fork(), by the child. */
struct vd_conn {
    int sock;              /* the connection to the server (close-on-exec, high number) */
    pid_t pid;             /* the process that owns `sock`; another one must ATTACH first */
    uint64_t open_id;
    int refs;              /* descriptors of this process that refer to it */
    const struct vd_node *node;
    int flags;             /* the open's O_ACCMODE and O_NONBLOCK, to open again after exec */
    int64_t position;      /* the block node's file offset (read, lseek), shared by dup()s */
    int timeout;           /* SG_SET_TIMEOUT, in USER_HZ ticks */
    int reserved_size;     /* SG_SET_RESERVED_SIZE */
    int wrote;             /* the block node was written: SYNCHRONIZE CACHE at the last close */
};

/* The SG_IO output fields the server computed (a COMPLETED reply, without the data). */
struct vd_completion {
    int err;               /* non-zero: the ioctl fails with this errno */
    uint8_t status, masked_status, sense_len;
    uint16_t host_status, driver_status;
    uint32_t info;
    int32_t resid;
    uint32_t duration;
    uint8_t sense[255];
};

VD_HIDDEN const struct vd_config *vd_config(void);
/* The reserved buffer a new open gets: the sg driver's default, within the transfer limit. */
VD_HIDDEN int vd_default_reserved(void);
VD_HIDDEN void vd_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Real libc functions, resolved with dlsym(RTLD_NEXT). */
VD_HIDDEN int vd_real_close(int fd);
VD_HIDDEN int vd_real_fcntl_dup(int fd, int min);
VD_HIDDEN int vd_real_open_marker(const struct vd_node *node, int flags);

/* Connection and protocol (shim_wire.c). All return 0 or an errno value. */
VD_HIDDEN int vd_wire_open(struct vd_conn *c, int flags);
VD_HIDDEN int vd_wire_attach(struct vd_conn *c);
VD_HIDDEN void vd_wire_close(struct vd_conn *c);
VD_HIDDEN int vd_wire_execute(struct vd_conn *c, const sg_io_hdr_t *h, int direction,
                              struct vd_completion *out);

/* ---- real libc functions ---- */

#include <dlfcn.h>
#include <errno.h>

/* real_NAME() is libc's NAME, looked up once. */
#define DEFINE_REAL(name)                                                                     \
    static __typeof__(&name) real_##name(void)                                                \
    {                                                                                         \
        static __typeof__(&name) p;                                                           \
        __typeof__(&name) f = __atomic_load_n(&p, __ATOMIC_ACQUIRE);                          \
        if (!f) {                                                                             \
            f = (__typeof__(&name))dlsym(RTLD_NEXT, #name);                                   \
            __atomic_store_n(&p, f, __ATOMIC_RELEASE);                                        \
        }                                                                                     \
        return f;                                                                             \
    }

/* Calls real_NAME, or fails with ENOSYS if libc lacks it. */
#define CALL_REAL(name, ...) (real_##name() ? real_##name()(__VA_ARGS__) : (errno = ENOSYS, -1))

/* ---- state shared by the shim's files (virtdrive_shim.c) ---- */

#include <pthread.h>

VD_HIDDEN extern pthread_mutex_t vd_lock;
VD_HIDDEN extern time_t vd_started;
VD_HIDDEN int vd_is_fake(int fd);
/* Under the lock: */
VD_HIDDEN struct vd_conn *vd_conn_of(int fd);
VD_HIDDEN void vd_bind_fd(int fd, struct vd_conn *c);
VD_HIDDEN void vd_unbind_fd(int fd);
VD_HIDDEN int vd_own_connection(struct vd_conn *c);
/* The node a path names, or NULL. */
VD_HIDDEN const struct vd_node *vd_node_of_path(const char *path);

/* The block node's data (shim_block.c), under the lock: bytes at `offset`, read with READ (10)
 * as the sr driver does; the medium's size in bytes (READ CAPACITY). -1 with errno on failure. */
VD_HIDDEN ssize_t vd_block_pread(struct vd_conn *c, void *buf, size_t n, int64_t offset);
VD_HIDDEN int64_t vd_block_size(struct vd_conn *c);
/* Under the lock: one command the shim itself sends (direction 0 none, 1 in, 2 out), as the
 * kernel's drivers send theirs. 0 done (*got bytes moved), 1 CHECK CONDITION (the sense in
 * *done), -1 with errno. */
VD_HIDDEN int vd_command(struct vd_conn *c, const uint8_t *cdb, uint8_t cdb_len, int direction,
                         void *buf, uint32_t len, struct vd_completion *done, uint32_t *got);
/* The sense key, ASC and ASCQ of a CHECK CONDITION, fixed or descriptor format (-1: none). */
VD_HIDDEN void vd_sense(const struct vd_completion *d, int *key, int *asc, int *ascq);
/* read() on a block node descriptor, at and moving its offset (takes the lock). */
VD_HIDDEN ssize_t vd_block_read(int fd, void *buf, size_t n);
/* write() on a block node descriptor, at and moving its offset (takes the lock): WRITE (10)
 * of whole sectors, as the sr driver writes a random-writable disc. */
VD_HIDDEN ssize_t vd_block_write(int fd, const void *buf, size_t n);
/* Under the lock, at the last close of a block node open that wrote: SYNCHRONIZE CACHE. */
VD_HIDDEN void vd_block_flush(struct vd_conn *c);

/* The drive's sysfs entries (shim_sysfs.c): a /sys path the real sysfs lacks and the
 * drive's folder has, written into buf (n bytes); else path itself. */
VD_HIDDEN const char *vd_sysfs_map(const char *path, char *buf, size_t n);
/* A path under the drive's folder (from realpath) back to its /sys form, in place. */
VD_HIDDEN void vd_sysfs_unmap(char *path);

/* ioctl() on a drive descriptor, under the lock (shim_ioctl.c). */
VD_HIDDEN int vd_drive_ioctl(struct vd_conn *c, unsigned long request, void *arg);
/* SG_IO on a drive descriptor, under the lock: the header checked as the node's driver
 * checks it, then run (shim_ioctl.c). 0 or -1 with errno. */
VD_HIDDEN int vd_sg_io(struct vd_conn *c, sg_io_hdr_t *h);
/* Whether the process can read (or also write) the n bytes at p (shim_ioctl.c). */
VD_HIDDEN int vd_user_range_ok(const void *p, size_t n, int writable);
/* The cdrom layer's ioctls on the block node, under the lock (shim_cdrom.c): the ioctl's
 * result, or -1 with errno; ENOTTY for a request it does not know. */
VD_HIDDEN int vd_cdrom_ioctl(struct vd_conn *c, unsigned long request, void *arg);

#endif
