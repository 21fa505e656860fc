/*
 * virtdrive preload shim: the interposed libc calls.
 *
 * LD_PRELOAD=libvirtdrive_shim.so with VIRTDRIVE_SOCKET set makes VIRTDRIVE_SR (default
 * /dev/sr9, block 11:N) and VIRTDRIVE_SG (default /dev/sg9, char 21:N) an MMC drive served by
 * `virtdrive serve`. Without VIRTDRIVE_SOCKET every call goes straight to libc.
 *
 * Every member of each family is covered, because programs built against different glibc
 * versions and with different flags reach the same call through different symbols:
 * open/open64/__open_2/__open64_2/openat/openat64/__openat_2/__openat64_2, the stat family
 * including the old __xstat entry points and statx (Rust's std uses statx), access,
 * faccessat, realpath, read, write, close, dup/dup2/dup3, fcntl(F_DUPFD) and ioctl.
 * Requires glibc 2.33 or later (stat and friends exported as functions).
 *
 * One lock is held around every call on a drive descriptor: libburn issues commands from
 * threads, and a request and its reply must not interleave. After fork() the child shares the
 * open with its parent; the first time it uses the descriptor it makes its own connection and
 * ATTACHes to that open, so the two processes never speak on one socket.
 */
#include "shim.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
_Static_assert(sizeof(sg_io_hdr_t) == 88, "sg_io_hdr is 88 bytes on x86-64");
_Static_assert(sizeof(struct sg_scsi_id) == 32, "sg_scsi_id is 32 bytes");
#endif

/* ---- real functions ---------------------------------------------------------------------- */

DEFINE_REAL(close)
DEFINE_REAL(write)
DEFINE_REAL(fcntl)
DEFINE_REAL(openat)

int vd_real_close(int fd)
{
    return CALL_REAL(close, fd);
}

int vd_real_fcntl_dup(int fd, int min)
{
    return CALL_REAL(fcntl, fd, F_DUPFD_CLOEXEC, min);
}

int vd_real_open_null(int flags)
{
    return CALL_REAL(openat, AT_FDCWD, "/dev/null", flags, 0);
}

/* The real descriptor behind an open of `node`: a file of the node's own next to the server's
 * socket (SOCKET.NAME.lock, NAME the node's last path component). Programs lock the drive
 * with fcntl record locks (libburn takes F_SETLK on the node it opens), and such a lock
 * belongs to the inode: on this file it is seen by every process that opens the same node of
 * the same served drive and by no one else, as on a device node. On /dev/null, shared by the
 * whole system, the locks of two programs driving two different virtual drives collided
 * ("Device busy. Failed to fcntl-lock"). Falls back to /dev/null if the file cannot be made. */
int vd_real_open_node_file(const struct vd_node *node, int flags)
{
    const char *name = strrchr(node->path, '/');
    name = name ? name + 1 : node->path;
    char path[512];
    int n = snprintf(path, sizeof path, "%s.%s.lock", vd_config()->socket, name);
    int access_flags = flags & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC);
    if (n > 0 && (size_t)n < sizeof path) {
        int fd = CALL_REAL(openat, AT_FDCWD, path, access_flags | O_CREAT | O_NOFOLLOW, 0600);
        if (fd >= 0)
            return fd;
    }
    return vd_real_open_null(access_flags);
}

/* ---- configuration and tracing ----------------------------------------------------------- */

static struct vd_config cfg;
static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;
time_t vd_started;

/* The minor number is the path's trailing digits (/dev/sr9 -> 9). */
static unsigned trailing_number(const char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        i--;
    return i < n ? (unsigned)strtoul(s + i, NULL, 10) & 0xFFFFF : 0;
}

static void set_node(struct vd_node *node, const char *env, const char *fallback,
                     enum vd_node_kind kind)
{
    const char *v = getenv(env);
    if (!v || !*v)
        v = fallback;
    snprintf(node->path, sizeof node->path, "%s", v);
    node->kind = kind;
    node->minor = trailing_number(node->path);
}

static void load_config(void)
{
    const char *sock = getenv("VIRTDRIVE_SOCKET");
    cfg.enabled = sock && *sock && strlen(sock) < sizeof cfg.socket;
    if (cfg.enabled)
        snprintf(cfg.socket, sizeof cfg.socket, "%s", sock);
    set_node(&cfg.nodes[0], "VIRTDRIVE_SR", "/dev/sr9", VD_BLOCK);
    set_node(&cfg.nodes[1], "VIRTDRIVE_SG", "/dev/sg9", VD_CHAR);
    int a[4] = { 9, 0, 0, 0 };
    const char *addr = getenv("VIRTDRIVE_SCSI_ADDRESS");
    if (addr && sscanf(addr, "%d:%d:%d:%d", &a[0], &a[1], &a[2], &a[3]) != 4)
        memcpy(a, (int[4]){ 9, 0, 0, 0 }, sizeof a);
    memcpy(cfg.address, a, sizeof a);
    const char *t = getenv("VIRTDRIVE_SHIM_TRACE");
    cfg.trace = t && *t && strcmp(t, "0") != 0;
    vd_started = time(NULL);
}

const struct vd_config *vd_config(void)
{
    pthread_once(&cfg_once, load_config);
    return &cfg;
}

/* One line on stderr, written directly: stdio could come back into write() under the lock. */
void vd_trace(const char *fmt, ...)
{
    if (!vd_config()->trace)
        return;
    char line[512];
    int n = snprintf(line, sizeof line, "virtdrive shim[%d]: ", (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t ignored = CALL_REAL(write, 2, line, (size_t)n);
    (void)ignored;
}

/* The node `path` names, or NULL. Only absolute paths and paths relative to the working
 * directory written the same way are recognised. */
const struct vd_node *vd_node_of_path(const char *path)
{
    const struct vd_config *c = vd_config();
    if (!c->enabled || !path)
        return NULL;
    for (int i = 0; i < 2; i++)
        if (strcmp(path, c->nodes[i].path) == 0)
            return &c->nodes[i];
    return NULL;
}

/* ---- the descriptor table ---------------------------------------------------------------- */

pthread_mutex_t vd_lock = PTHREAD_MUTEX_INITIALIZER;
/* Read without the lock as a fast path: 1 where the descriptor is a drive's. */
static volatile unsigned char fake[VD_FD_LIMIT];
static struct vd_conn *conns[VD_FD_LIMIT];

int vd_is_fake(int fd)
{
    return fd >= 0 && fd < VD_FD_LIMIT && __atomic_load_n(&fake[fd], __ATOMIC_ACQUIRE);
}

struct vd_conn *vd_conn_of(int fd)
{
    return vd_is_fake(fd) ? conns[fd] : NULL;
}

void vd_bind_fd(int fd, struct vd_conn *c)
{
    conns[fd] = c;
    c->refs++;
    __atomic_store_n(&fake[fd], 1, __ATOMIC_RELEASE);
}

/* The last descriptor of a connection closes it. */
void vd_unbind_fd(int fd)
{
    struct vd_conn *c = vd_conn_of(fd);
    if (!c)
        return;
    __atomic_store_n(&fake[fd], 0, __ATOMIC_RELEASE);
    conns[fd] = NULL;
    if (--c->refs == 0) {
        vd_wire_close(c);
        free(c);
    }
}

/* Under the lock: a child of fork() makes its own connection before it speaks. */
int vd_own_connection(struct vd_conn *c)
{
    return c->pid == getpid() ? 0 : vd_wire_attach(c);
}

static void before_fork(void)
{
    pthread_mutex_lock(&vd_lock);
}

static void after_fork(void)
{
    pthread_mutex_unlock(&vd_lock);
}

__attribute__((constructor)) static void vd_init(void)
{
    pthread_atfork(before_fork, after_fork, after_fork);
}

