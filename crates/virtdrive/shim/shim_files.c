/*
 * virtdrive preload shim: the file calls on the drive paths and descriptors (open, close,
 * dup, fcntl, read, write, the stat family, access, realpath). See virtdrive_shim.c.
 */
#include "shim.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Entry points glibc 2.33+ no longer declares but older programs still call. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __xstat(int ver, const char *path, struct stat *buf);
int __xstat64(int ver, const char *path, struct stat64 *buf);
int __lxstat(int ver, const char *path, struct stat *buf);
int __lxstat64(int ver, const char *path, struct stat64 *buf);
int __fxstat(int ver, int fd, struct stat *buf);
int __fxstat64(int ver, int fd, struct stat64 *buf);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *buf, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *buf, int flags);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);

DEFINE_REAL(openat)
DEFINE_REAL(openat64)
DEFINE_REAL(close)
DEFINE_REAL(read)
DEFINE_REAL(write)
DEFINE_REAL(dup)
DEFINE_REAL(dup2)
DEFINE_REAL(dup3)
DEFINE_REAL(fcntl)
DEFINE_REAL(stat)
DEFINE_REAL(stat64)
DEFINE_REAL(lstat)
DEFINE_REAL(lstat64)
DEFINE_REAL(fstat)
DEFINE_REAL(fstat64)
DEFINE_REAL(fstatat)
DEFINE_REAL(fstatat64)
DEFINE_REAL(statx)
DEFINE_REAL(access)
DEFINE_REAL(faccessat)
DEFINE_REAL(realpath)

/* ---- open --------------------------------------------------------------------------------- */

static int open_drive(const struct vd_node *node, int flags)
{
    if ((flags & O_CREAT) && (flags & O_EXCL)) {
        errno = EEXIST;
        return -1;
    }
    if (flags & O_DIRECTORY) {
        errno = ENOTDIR;
        return -1;
    }
    struct vd_conn *c = calloc(1, sizeof *c);
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    c->node = node;
    c->flags = flags & (O_ACCMODE | O_NONBLOCK);
    c->timeout = VD_DEFAULT_TIMEOUT;
    c->reserved_size = vd_default_reserved();
    pthread_mutex_lock(&vd_lock);
    int err = vd_wire_open(c, flags);
    int fd = -1;
    if (!err) {
        fd = vd_real_open_marker(node, flags);
        if (fd < 0 || fd >= VD_FD_LIMIT) {
            err = fd < 0 ? errno : EMFILE;
            if (fd >= 0)
                CALL_REAL(close, fd);
            vd_wire_close(c);
            fd = -1;
        } else {
            vd_bind_fd(fd, c);
        }
    }
    pthread_mutex_unlock(&vd_lock);
    vd_trace("open %s flags %#x: %s (fd %d)", node->path, (unsigned)flags,
             err ? strerror(err) : "ok", fd);
    if (err) {
        free(c);
        errno = err;
        return -1;
    }
    return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_BODY(real, dirfd)                                                                \
    const struct vd_node *node = vd_node_of_path(path);                                       \
    if (node)                                                                                 \
        return open_drive(node, flags);                                                       \
    char mapped[PATH_MAX];                                                                    \
    path = vd_sysfs_map(path, mapped, sizeof mapped);                                         \
    return CALL_REAL(real, dirfd, path, flags, mode)

VD_EXPORT int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(openat, AT_FDCWD);
}

VD_EXPORT int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(openat64, AT_FDCWD);
}

VD_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(openat, dirfd);
}

VD_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(openat64, dirfd);
}

/* The _FORTIFY_SOURCE entry points (no mode: O_CREAT without one is refused by glibc). */
VD_EXPORT int __open_2(const char *path, int flags)
{
    mode_t mode = 0;
    OPEN_BODY(openat, AT_FDCWD);
}

VD_EXPORT int __open64_2(const char *path, int flags)
{
    mode_t mode = 0;
    OPEN_BODY(openat64, AT_FDCWD);
}

VD_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
    mode_t mode = 0;
    OPEN_BODY(openat, dirfd);
}

VD_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
    mode_t mode = 0;
    OPEN_BODY(openat64, dirfd);
}

/* ---- close, dup, fcntl -------------------------------------------------------------------- */

VD_EXPORT int close(int fd)
{
    if (vd_is_fake(fd)) {
        pthread_mutex_lock(&vd_lock);
        vd_unbind_fd(fd);
        pthread_mutex_unlock(&vd_lock);
        vd_trace("close fd %d", fd);
    }
    return CALL_REAL(close, fd);
}

/* Under the lock: newfd (just made by dup*) refers to oldfd's connection too. */
static int share(int oldfd, int newfd)
{
    struct vd_conn *c = vd_conn_of(oldfd);
    if (c && newfd >= 0 && newfd != oldfd) {
        if (newfd >= VD_FD_LIMIT) {
            CALL_REAL(close, newfd);
            errno = EMFILE;
            return -1;
        }
        vd_bind_fd(newfd, c);
    }
    return newfd;
}

VD_EXPORT int dup(int fd)
{
    if (!vd_is_fake(fd))
        return CALL_REAL(dup, fd);
    pthread_mutex_lock(&vd_lock);
    int r = share(fd, CALL_REAL(dup, fd));
    pthread_mutex_unlock(&vd_lock);
    return r;
}

static int dup_to(int oldfd, int newfd, int flags, int three)
{
    if (!vd_is_fake(oldfd) && !vd_is_fake(newfd))
        return three ? CALL_REAL(dup3, oldfd, newfd, flags) : CALL_REAL(dup2, oldfd, newfd);
    pthread_mutex_lock(&vd_lock);
    int r = three ? CALL_REAL(dup3, oldfd, newfd, flags) : CALL_REAL(dup2, oldfd, newfd);
    if (r >= 0 && oldfd != newfd) {
        /* dup2 closed what newfd was. */
        vd_unbind_fd(newfd);
        r = share(oldfd, r);
    }
    pthread_mutex_unlock(&vd_lock);
    return r;
}

VD_EXPORT int dup2(int oldfd, int newfd)
{
    return dup_to(oldfd, newfd, 0, 0);
}

VD_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    return dup_to(oldfd, newfd, flags, 1);
}

/* Every fcntl argument is an int, a long or a pointer: all travel as one register-sized word
 * on the ABIs this shim supports, so it is passed on as a pointer. */
static int fcntl_any(int fd, int cmd, void *arg)
{
    if (!vd_is_fake(fd) || (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC))
        return CALL_REAL(fcntl, fd, cmd, arg);
    pthread_mutex_lock(&vd_lock);
    int r = share(fd, CALL_REAL(fcntl, fd, cmd, arg));
    pthread_mutex_unlock(&vd_lock);
    return r;
}

VD_EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_any(fd, cmd, arg);
}

VD_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_any(fd, cmd, arg);
}

/* ---- read and write ----------------------------------------------------------------------- */

/* The char node: the old sg interface's read of a pending reply, and none is ever pending
 * (wodim reads once to flush, and must get no data). The block node: its data
 * (shim_block.c). */
static ssize_t read_drive(int fd, void *buf, size_t n)
{
    pthread_mutex_lock(&vd_lock);
    struct vd_conn *c = vd_conn_of(fd);
    int block = c && c->node->kind == VD_BLOCK;
    pthread_mutex_unlock(&vd_lock);
    if (block)
        return vd_block_read(fd, buf, n);
    errno = EAGAIN;
    return -1;
}

VD_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    if (vd_is_fake(fd))
        return read_drive(fd, buf, n);
    return CALL_REAL(read, fd, buf, n);
}

VD_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    if (n > buflen)
        abort(); /* what glibc's __read_chk does on an overflow */
    return read(fd, buf, n);
}

/* The block node: its sectors (shim_block.c). The char node has no data to write: refused
 * rather than lost in the node's lock file. */
VD_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    if (vd_is_fake(fd)) {
        pthread_mutex_lock(&vd_lock);
        struct vd_conn *c = vd_conn_of(fd);
        int block = c && c->node->kind == VD_BLOCK;
        pthread_mutex_unlock(&vd_lock);
        if (block)
            return vd_block_write(fd, buf, n);
        errno = EIO;
        return -1;
    }
    return CALL_REAL(write, fd, buf, n);
}

/* ---- stat ---------------------------------------------------------------------------------- */

#define FILL_STAT(st, node)                                                                   \
    do {                                                                                      \
        memset((st), 0, sizeof *(st));                                                        \
        (st)->st_dev = makedev(0, 5); /* devtmpfs */                                          \
        (st)->st_ino = 90000 + (node)->kind;                                                  \
        (st)->st_mode = ((node)->kind == VD_BLOCK ? S_IFBLK : S_IFCHR) | 0660;                \
        (st)->st_nlink = 1;                                                                   \
        (st)->st_rdev = makedev((node)->kind == VD_BLOCK ? 11 : 21, (node)->minor);           \
        (st)->st_blksize = 4096;                                                              \
        (st)->st_atime = (st)->st_mtime = (st)->st_ctime = vd_started;                        \
    } while (0)

/* The node of a drive descriptor, or NULL. */
static const struct vd_node *node_of_fd(int fd)
{
    if (!vd_is_fake(fd))
        return NULL;
    pthread_mutex_lock(&vd_lock);
    struct vd_conn *c = vd_conn_of(fd);
    const struct vd_node *n = c ? c->node : NULL;
    pthread_mutex_unlock(&vd_lock);
    return n;
}

/* The node fstatat/statx is asked about: a drive path, or a drive descriptor with an empty
 * path and AT_EMPTY_PATH. */
static const struct vd_node *node_at(int dirfd, const char *path, int flags)
{
    if (path && path[0] == '\0' && (flags & AT_EMPTY_PATH))
        return node_of_fd(dirfd);
    return vd_node_of_path(path);
}

#define STAT_PATH(real, type)                                                                 \
    VD_EXPORT int real(const char *path, type *buf)                                           \
    {                                                                                         \
        const struct vd_node *node = vd_node_of_path(path);                                      \
        if (node) {                                                                    \
            FILL_STAT(buf, node);                                                             \
            return 0;                                                                         \
        }                                                                                     \
        char mapped[PATH_MAX];                                                                \
        return CALL_REAL(real, vd_sysfs_map(path, mapped, sizeof mapped), buf);               \
    }

STAT_PATH(stat, struct stat)
STAT_PATH(stat64, struct stat64)
STAT_PATH(lstat, struct stat)
STAT_PATH(lstat64, struct stat64)

#define STAT_FD(real, type)                                                                   \
    VD_EXPORT int real(int fd, type *buf)                                                     \
    {                                                                                         \
        const struct vd_node *node = node_of_fd(fd);                                          \
        if (node) {                                                                    \
            FILL_STAT(buf, node);                                                             \
            return 0;                                                                         \
        }                                                                                     \
        return CALL_REAL(real, fd, buf);                                                      \
    }

STAT_FD(fstat, struct stat)
STAT_FD(fstat64, struct stat64)

#define STAT_AT(real, type)                                                                   \
    VD_EXPORT int real(int dirfd, const char *path, type *buf, int flags)                     \
    {                                                                                         \
        const struct vd_node *node = node_at(dirfd, path, flags);                             \
        if (node) {                                                                    \
            FILL_STAT(buf, node);                                                             \
            return 0;                                                                         \
        }                                                                                     \
        char mapped[PATH_MAX];                                                                \
        return CALL_REAL(real, dirfd, vd_sysfs_map(path, mapped, sizeof mapped), buf, flags); \
    }

STAT_AT(fstatat, struct stat)
STAT_AT(fstatat64, struct stat64)

/* The pre-2.33 versioned entry points: the structure is the kernel's, as with stat(). */
VD_EXPORT int __xstat(int ver, const char *path, struct stat *buf)
{
    (void)ver;
    return stat(path, buf);
}
VD_EXPORT int __xstat64(int ver, const char *path, struct stat64 *buf)
{
    (void)ver;
    return stat64(path, buf);
}
VD_EXPORT int __lxstat(int ver, const char *path, struct stat *buf)
{
    (void)ver;
    return lstat(path, buf);
}
VD_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *buf)
{
    (void)ver;
    return lstat64(path, buf);
}
VD_EXPORT int __fxstat(int ver, int fd, struct stat *buf)
{
    (void)ver;
    return fstat(fd, buf);
}
VD_EXPORT int __fxstat64(int ver, int fd, struct stat64 *buf)
{
    (void)ver;
    return fstat64(fd, buf);
}
VD_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *buf, int flags)
{
    (void)ver;
    return fstatat(dirfd, path, buf, flags);
}
VD_EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *buf, int flags)
{
    (void)ver;
    return fstatat64(dirfd, path, buf, flags);
}

VD_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
{
    const struct vd_node *node = node_at(dirfd, path, flags);
    if (!node) {
        char mapped[PATH_MAX];
        return CALL_REAL(statx, dirfd, vd_sysfs_map(path, mapped, sizeof mapped), flags, mask,
                         buf);
    }
    memset(buf, 0, sizeof *buf);
    buf->stx_mask = STATX_BASIC_STATS;
    buf->stx_blksize = 4096;
    buf->stx_nlink = 1;
    buf->stx_mode = (uint16_t)((node->kind == VD_BLOCK ? S_IFBLK : S_IFCHR) | 0660);
    buf->stx_ino = 90000 + node->kind;
    buf->stx_rdev_major = node->kind == VD_BLOCK ? 11 : 21;
    buf->stx_rdev_minor = node->minor;
    buf->stx_dev_major = 0;
    buf->stx_dev_minor = 5;
    buf->stx_atime.tv_sec = buf->stx_mtime.tv_sec = buf->stx_ctime.tv_sec = vd_started;
    return 0;
}

/* ---- access and realpath ------------------------------------------------------------------ */

/* A drive node can be read and written, never executed. */
static int access_drive(int mode)
{
    if (mode & X_OK) {
        errno = EACCES;
        return -1;
    }
    return 0;
}

VD_EXPORT int access(const char *path, int mode)
{
    if (vd_node_of_path(path))
        return access_drive(mode);
    char mapped[PATH_MAX];
    return CALL_REAL(access, vd_sysfs_map(path, mapped, sizeof mapped), mode);
}

VD_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
    if (vd_node_of_path(path))
        return access_drive(mode);
    char mapped[PATH_MAX];
    return CALL_REAL(faccessat, dirfd, vd_sysfs_map(path, mapped, sizeof mapped), mode, flags);
}

VD_EXPORT int euidaccess(const char *path, int mode)
{
    if (vd_node_of_path(path))
        return access_drive(mode);
    char mapped[PATH_MAX];
    return CALL_REAL(faccessat, AT_FDCWD, vd_sysfs_map(path, mapped, sizeof mapped), mode,
                     AT_EACCESS);
}

VD_EXPORT int eaccess(const char *path, int mode)
{
    return euidaccess(path, mode);
}

/* The drive paths are canonical already (they do not exist to be resolved). */
VD_EXPORT char *realpath(const char *path, char *resolved)
{
    const struct vd_node *node = vd_node_of_path(path);
    if (!node) {
        char mapped[PATH_MAX];
        const char *p = vd_sysfs_map(path, mapped, sizeof mapped);
        char *r = real_realpath() ? real_realpath()(p, resolved) : NULL;
        /* A drive entry's real place is its /sys path. */
        if (r && p != path)
            vd_sysfs_unmap(r);
        return r;
    }
    if (!resolved)
        return strdup(node->path);
    snprintf(resolved, PATH_MAX, "%s", node->path);
    return resolved;
}

VD_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
    if (resolved && resolvedlen < PATH_MAX)
        abort(); /* what glibc's __realpath_chk does */
    return realpath(path, resolved);
}

