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
 * faccessat, realpath, read, write, close, dup/dup2/dup3, fcntl(F_DUPFD) and ioctl; and for the
 * block node's data (shim_block.c) pread/pread64, lseek/lseek64 and fopen/fopen64.
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
#include <dirent.h>
#include <limits.h>

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

/* The real descriptor behind an open of `node`: its marker, an empty file of the node's own
 * next to the server's socket (SOCKET.NAME.lock, NAME the node's last path component; see
 * load_config). Two things rest on it:
 * - fcntl record locks (libburn takes F_SETLK on the node it opens) belong to the inode: on
 *   this file a lock is seen by every process that opens the same node of the same served
 *   drive and by no one else, as on a device node. On /dev/null, shared by the whole system,
 *   the locks of two programs driving two different virtual drives collided ("Device busy.
 *   Failed to fcntl-lock").
 * - a program image started by exec() can tell that a descriptor it inherited is the drive's
 *   (growisofs re-executes itself with one), by the file it is open on.
 * Falls back to /dev/null when there is no marker or it cannot be made; select and
 * close-on-exec behave as on a device node either way. */
int vd_real_open_marker(const struct vd_node *node, int flags)
{
    int keep = flags & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC);
    if (node->marker[0]) {
        int fd = CALL_REAL(openat, AT_FDCWD, node->marker, keep | O_CREAT | O_NOFOLLOW, 0600);
        if (fd >= 0)
            return fd;
    }
    return CALL_REAL(openat, AT_FDCWD, "/dev/null", keep, 0);
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

/* A bad setting is said on stderr whether tracing is on or not: silently ignoring it would
 * let a test pass for the wrong reason. */
static void config_warning(const char *variable, const char *value, const char *expected)
{
    char line[512];
    int n = snprintf(line, sizeof line, "virtdrive shim: %s=%s is ignored: expected %s\n",
                     variable, value, expected);
    if (n > 0) {
        ssize_t ignored = CALL_REAL(write, 2, line,
                                    (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)ignored;
    }
}

static const struct { const char *name; int value; } errno_names[] = {
    { "EIO", EIO }, { "EINVAL", EINVAL }, { "ENOMEM", ENOMEM }, { "EINTR", EINTR },
    { "ENXIO", ENXIO }, { "ENODEV", ENODEV }, { "EBUSY", EBUSY }, { "EACCES", EACCES },
    { "EPERM", EPERM }, { "EFAULT", EFAULT }, { "EAGAIN", EAGAIN }, { "EBADF", EBADF },
    { "ETIMEDOUT", ETIMEDOUT }, { "EDOM", EDOM }, { "ENOSYS", ENOSYS }, { "ENOTTY", ENOTTY },
};

/* A number as strtol reads it in base 0 (12, 0x0b), the whole of s; -1 if it is not one. */
static long whole_number(const char *s, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (end == s || *end != '\0' || errno || v < 0 || v > max)
        return -1;
    return v;
}

/* One rule: [HH@]N:ACTION[*COUNT]. 0 when it was read. */
static int parse_fail_rule(char *rule, struct vd_fail_rule *out)
{
    out->opcode = -1;
    out->count = 1;
    char *colon = strchr(rule, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    char *action = colon + 1;
    char *at = strchr(rule, '@');
    if (at) {
        *at = '\0';
        char *end;
        long op = strtol(rule, &end, 16);
        if (end == rule || *end != '\0' || op < 0 || op > 0xFF)
            return -1;
        out->opcode = (int)op;
        rule = at + 1;
    }
    long nth = whole_number(rule, 1000000);
    if (nth < 1)
        return -1;
    out->nth = (unsigned)nth;
    char *star = strchr(action, '*');
    if (star) {
        *star = '\0';
        long count = whole_number(star + 1, 1000000);
        if (count < 1)
            return -1;
        out->count = (unsigned)count;
    }
    if (strncmp(action, "host=", 5) == 0 || strncmp(action, "driver=", 7) == 0) {
        int host = action[0] == 'h';
        long v = whole_number(action + (host ? 5 : 7), 0xFFFF);
        if (v < 0)
            return -1;
        out->kind = host ? VD_FAIL_HOST : VD_FAIL_DRIVER;
        out->value = (int)v;
        return 0;
    }
    out->kind = VD_FAIL_ERRNO;
    for (size_t i = 0; i < sizeof errno_names / sizeof *errno_names; i++)
        if (strcmp(action, errno_names[i].name) == 0) {
            out->value = errno_names[i].value;
            return 0;
        }
    long e = whole_number(action, 4095);
    if (e < 1)
        return -1;
    out->value = (int)e;
    return 0;
}

/* VIRTDRIVE_SHIM_FAIL: rules separated by commas. */
static void parse_fail_rules(const char *spec)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", spec);
    char *save = NULL;
    for (char *rule = strtok_r(copy, ",", &save); rule; rule = strtok_r(NULL, ",", &save)) {
        char original[256];
        snprintf(original, sizeof original, "%s", rule);
        if (cfg.fail_count >= VD_MAX_FAIL_RULES) {
            config_warning("VIRTDRIVE_SHIM_FAIL", original, "at most 16 rules");
            break;
        }
        if (parse_fail_rule(rule, &cfg.fail[cfg.fail_count]) == 0)
            cfg.fail_count++;
        else
            config_warning("VIRTDRIVE_SHIM_FAIL", original,
                 "[OPCODE@]N:ACTION[*COUNT], ACTION an errno name or number, host=CODE or driver=CODE");
    }
}

static void load_config(void)
{
    const char *sock = getenv("VIRTDRIVE_SOCKET");
    cfg.enabled = sock && *sock && strlen(sock) < sizeof cfg.socket;
    if (cfg.enabled)
        snprintf(cfg.socket, sizeof cfg.socket, "%s", sock);
    set_node(&cfg.nodes[0], "VIRTDRIVE_SR", "/dev/sr9", VD_BLOCK);
    set_node(&cfg.nodes[1], "VIRTDRIVE_SG", "/dev/sg9", VD_CHAR);
    /* The markers: SOCKET.NAME.lock beside the socket (vd_real_open_marker), so that two
     * servers sharing a folder never share a marker. */
    for (int i = 0; cfg.enabled && i < 2; i++) {
        const char *name = strrchr(cfg.nodes[i].path, '/');
        name = name ? name + 1 : cfg.nodes[i].path;
        int n = snprintf(cfg.nodes[i].marker, sizeof cfg.nodes[i].marker, "%s.%s.lock",
                         cfg.socket, name);
        if (n < 0 || (size_t)n >= sizeof cfg.nodes[i].marker)
            cfg.nodes[i].marker[0] = '\0';
    }
    int a[4] = { 9, 0, 0, 0 };
    const char *addr = getenv("VIRTDRIVE_SCSI_ADDRESS");
    if (addr && sscanf(addr, "%d:%d:%d:%d", &a[0], &a[1], &a[2], &a[3]) != 4)
        memcpy(a, (int[4]){ 9, 0, 0, 0 }, sizeof a);
    memcpy(cfg.address, a, sizeof a);
    const char *t = getenv("VIRTDRIVE_SHIM_TRACE");
    cfg.trace = t && *t && strcmp(t, "0") != 0;
    cfg.max_transfer = VD_MAX_DATA;
    const char *max = getenv("VIRTDRIVE_SHIM_MAX_TRANSFER");
    if (max && *max) {
        char *end;
        unsigned long v = strtoul(max, &end, 0);
        if (*end == '\0' && v >= 512 && v <= VD_MAX_DATA)
            cfg.max_transfer = (uint32_t)v;
        else
            config_warning("VIRTDRIVE_SHIM_MAX_TRANSFER", max, "a number of bytes from 512 to 16777216");
    }
    const char *sysfs = getenv("VIRTDRIVE_SYSFS");
    if (sysfs && *sysfs && strlen(sysfs) < sizeof cfg.sysfs)
        snprintf(cfg.sysfs, sizeof cfg.sysfs, "%s", sysfs);
    const char *fail = getenv("VIRTDRIVE_SHIM_FAIL");
    if (fail && *fail)
        parse_fail_rules(fail);
    cfg.sleep_divisor = 1;
    const char *div = getenv("VIRTDRIVE_SHIM_SLEEP_DIVISOR");
    if (div && *div) {
        long v = whole_number(div, 1000);
        if (v >= 1)
            cfg.sleep_divisor = (unsigned)v;
        else
            config_warning("VIRTDRIVE_SHIM_SLEEP_DIVISOR", div, "a number from 1 to 1000");
    }
    vd_started = time(NULL);
}

const struct vd_config *vd_config(void)
{
    pthread_once(&cfg_once, load_config);
    return &cfg;
}

int vd_default_reserved(void)
{
    uint32_t max = vd_config()->max_transfer;
    return VD_DEFAULT_RESERVED < max ? VD_DEFAULT_RESERVED : (int)max;
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

static const struct vd_node *node_of_fd_path(const char *path);

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
    return node_of_fd_path(path);
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
        if (c->wrote)
            vd_block_flush(c);
        vd_wire_close(c);
        free(c);
    }
}

/* "/dev/fd/N" or "/proc/self/fd/N" for a drive descriptor N names that descriptor's node, as
 * the kernel's magic links do (growisofs passes mkisofs "-M /dev/fd/N"). */
static const struct vd_node *node_of_fd_path(const char *path)
{
    static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], n) != 0)
            continue;
        char *end;
        long fd = strtol(path + n, &end, 10);
        if (end == path + n || *end != '\0' || fd < 0 || fd >= VD_FD_LIMIT)
            return NULL;
        pthread_mutex_lock(&vd_lock);
        struct vd_conn *c = vd_conn_of((int)fd);
        const struct vd_node *node = c ? c->node : NULL;
        pthread_mutex_unlock(&vd_lock);
        return node;
    }
    return NULL;
}

/* Under the lock: a child of fork() makes its own connection before it speaks; a descriptor
 * inherited across exec() has none (the socket closes on exec) and opens the drive again. */
int vd_own_connection(struct vd_conn *c)
{
    if (c->sock < 0)
        return vd_wire_open(c, c->flags);
    return c->pid == getpid() ? 0 : vd_wire_attach(c);
}

/* At load: the drive descriptors this program image inherited through exec() (growisofs
 * re-executes itself with its drive descriptor to reload the tray, and hands mkisofs the
 * previous session as /dev/fd/N). Each is bound to a connection made at its first use,
 * without O_EXCL: the open the old image made ended with its socket. */
static void adopt_inherited_descriptors(void)
{
    const struct vd_config *cfg = vd_config();
    if (!cfg->enabled)
        return;
    char marker[2][PATH_MAX];
    for (int i = 0; i < 2; i++)
        if (!cfg->nodes[i].marker[0] || !realpath(cfg->nodes[i].marker, marker[i]))
            marker[i][0] = '\0';
    if (!marker[0][0] && !marker[1][0])
        return;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return;
    int own = dirfd(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd == own || fd < 0 || fd >= VD_FD_LIMIT)
            continue;
        char link[64], target[PATH_MAX];
        snprintf(link, sizeof link, "/proc/self/fd/%ld", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        for (int i = 0; i < 2; i++) {
            if (!marker[i][0] || strcmp(target, marker[i]) != 0)
                continue;
            struct vd_conn *c = calloc(1, sizeof *c);
            if (!c)
                break;
            int fl = fcntl((int)fd, F_GETFL);
            c->sock = -1;
            c->node = &cfg->nodes[i];
            c->flags = fl < 0 ? O_RDONLY | O_NONBLOCK : fl & (O_ACCMODE | O_NONBLOCK);
            c->timeout = VD_DEFAULT_TIMEOUT;
            c->reserved_size = vd_default_reserved();
            vd_bind_fd((int)fd, c);
            vd_trace("fd %ld is inherited %s", fd, c->node->path);
        }
    }
    closedir(dir);
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
    pthread_mutex_lock(&vd_lock);
    adopt_inherited_descriptors();
    pthread_mutex_unlock(&vd_lock);
}

/* At exit: the opens this process still has end now, with CLOSED awaited, as Linux releases
 * a process's opens (and its O_EXCL claims) before its parent's wait() returns. Left to the
 * server noticing the sockets close, a program started right after this one could still find
 * the drive busy. Runs after the program's own atexit handlers. */
__attribute__((destructor)) static void vd_fini(void)
{
    if (!vd_config()->enabled)
        return;
    pthread_mutex_lock(&vd_lock);
    for (int fd = 0; fd < VD_FD_LIMIT; fd++)
        vd_unbind_fd(fd);
    pthread_mutex_unlock(&vd_lock);
}

