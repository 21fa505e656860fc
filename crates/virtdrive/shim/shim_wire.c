/*
 * virtdrive preload shim: the connection to `virtdrive serve` and the wire format
 * (crates/virtdrive/src/serve/protocol.rs has the table). Every function here runs with the
 * shim's lock held, so one request and its reply never interleave with another's.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum {
    K_OPEN = 0x01, K_ATTACH = 0x02, K_EXECUTE = 0x03, K_CLOSE = 0x04,
    K_OPENED = 0x81, K_ATTACHED = 0x82, K_COMPLETED = 0x83, K_CLOSED = 0x84, K_ERROR = 0xFF,
};

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* MSG_NOSIGNAL: a server that went away must not kill the program with SIGPIPE. */
static int send_all(int s, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t k = send(s, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int recv_all(int s, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t k = recv(s, p, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Reads and drops n bytes. */
static int skip(int s, size_t n)
{
    uint8_t sink[4096];
    while (n > 0) {
        size_t k = n < sizeof sink ? n : sizeof sink;
        if (recv_all(s, sink, k) < 0)
            return -1;
        n -= k;
    }
    return 0;
}

/* Sends one frame made of `head` then `tail` (the data-out, which is not copied). */
static int send_frame(int s, const uint8_t *head, size_t head_len, const void *tail, size_t tail_len)
{
    uint8_t len[4];
    put_u32(len, (uint32_t)(head_len + tail_len));
    if (send_all(s, len, 4) < 0 || send_all(s, head, head_len) < 0)
        return -1;
    if (tail_len > 0 && send_all(s, tail, tail_len) < 0)
        return -1;
    return 0;
}

/* Reads a small reply of kind `want` into buf (exactly `want_len` bytes). An ERROR reply is
 * printed: it means the shim sent something the server could not read. */
static int recv_small(int s, uint8_t want, uint8_t *buf, size_t want_len)
{
    uint8_t len[4];
    if (recv_all(s, len, 4) < 0)
        return EIO;
    uint32_t n = get_u32(len);
    if (n < 4 || n > 4096)
        return EIO;
    uint8_t body[4096];
    if (recv_all(s, body, n) < 0)
        return EIO;
    if (body[0] == K_ERROR) {
        vd_trace("the server refused a request: %.*s", (int)(n - 4), (const char *)body + 4);
        return EIO;
    }
    if (body[0] != want || n != want_len)
        return EIO;
    memcpy(buf, body, n);
    return 0;
}

/* A new connection to the server, moved above the descriptors programs usually use so a
 * program that closes or dup2()s low numbers does not hit it. */
static int connect_server(void)
{
    const struct vd_config *cfg = vd_config();
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, cfg->socket, sizeof addr.sun_path - 1);
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int e = errno;
        vd_real_close(s);
        vd_trace("cannot reach the virtdrive server at %s: %s", cfg->socket, strerror(e));
        return -1;
    }
    int high = vd_real_fcntl_dup(s, 700);
    if (high >= 0) {
        vd_real_close(s);
        s = high;
    }
    return s;
}

int vd_wire_open(struct vd_conn *c, int flags)
{
    c->sock = connect_server();
    if (c->sock < 0)
        return ENXIO;
    int access = flags & O_ACCMODE;
    uint8_t req[8] = { K_OPEN, (uint8_t)c->node->kind, 0, 0 };
    req[2] = (uint8_t)((access != O_RDONLY ? 1 : 0) | ((flags & O_EXCL) ? 2 : 0) |
                       ((flags & O_NONBLOCK) ? 4 : 0));
    put_u32(req + 4, (uint32_t)getpid());
    uint8_t rep[16];
    int err = send_frame(c->sock, req, sizeof req, NULL, 0) < 0 ? EIO
              : recv_small(c->sock, K_OPENED, rep, sizeof rep);
    if (!err)
        err = (int)get_u32(rep + 4);
    if (err) {
        vd_real_close(c->sock);
        c->sock = -1;
        return err;
    }
    c->open_id = get_u64(rep + 8);
    c->pid = getpid();
    return 0;
}

int vd_wire_attach(struct vd_conn *c)
{
    int s = connect_server();
    if (s < 0)
        return ENODEV;
    uint8_t req[16] = { K_ATTACH, 0, 0, 0 };
    put_u32(req + 4, (uint32_t)getpid());
    put_u64(req + 8, c->open_id);
    uint8_t rep[8];
    int err = send_frame(s, req, sizeof req, NULL, 0) < 0 ? EIO
              : recv_small(s, K_ATTACHED, rep, sizeof rep);
    if (!err)
        err = (int)get_u32(rep + 4);
    if (err) {
        vd_real_close(s);
        return err;
    }
    /* The inherited socket stays the parent's; this process now speaks on its own. */
    vd_real_close(c->sock);
    c->sock = s;
    c->pid = getpid();
    return 0;
}

void vd_wire_close(struct vd_conn *c)
{
    if (c->sock < 0)
        return;
    if (c->pid == getpid()) {
        /* Wait for CLOSED, so an O_EXCL open right after close() is not refused. */
        uint8_t req[4] = { K_CLOSE, 0, 0, 0 };
        uint8_t rep[4];
        if (send_frame(c->sock, req, sizeof req, NULL, 0) == 0)
            (void)recv_small(c->sock, K_CLOSED, rep, sizeof rep);
    }
    vd_real_close(c->sock);
    c->sock = -1;
}

int vd_wire_execute(struct vd_conn *c, const sg_io_hdr_t *h, int direction,
                    struct vd_completion *out)
{
    uint32_t dxfer_len = direction == 0 ? 0 : h->dxfer_len;
    uint8_t head[12 + 16];
    head[0] = K_EXECUTE;
    head[1] = (uint8_t)direction;
    head[2] = h->cmd_len;
    head[3] = 0;
    put_u32(head + 4, h->timeout);
    put_u32(head + 8, dxfer_len);
    memcpy(head + 12, h->cmdp, h->cmd_len);
    const void *data_out = direction == 2 ? h->dxferp : NULL;
    if (send_frame(c->sock, head, 12u + h->cmd_len, data_out, direction == 2 ? dxfer_len : 0) < 0)
        return ENODEV;

    uint8_t len[4], fixed[28];
    if (recv_all(c->sock, len, 4) < 0)
        return ENODEV;
    uint32_t n = get_u32(len);
    if (n < 4 || recv_all(c->sock, fixed, 4) < 0)
        return ENODEV;
    if (fixed[0] == K_ERROR) {
        (void)skip(c->sock, n - 4);
        vd_trace("the server refused an SG_IO request");
        return EIO;
    }
    if (fixed[0] != K_COMPLETED || n < 28 || recv_all(c->sock, fixed + 4, 24) < 0)
        return ENODEV;
    out->status = fixed[1];
    out->masked_status = fixed[2];
    out->sense_len = fixed[3];
    out->err = (int)get_u32(fixed + 4);
    out->host_status = get_u16(fixed + 8);
    out->driver_status = get_u16(fixed + 10);
    out->info = get_u32(fixed + 12);
    out->resid = (int32_t)get_u32(fixed + 16);
    out->duration = get_u32(fixed + 20);
    uint32_t data_len = get_u32(fixed + 24);
    if ((uint64_t)n != 28u + out->sense_len + (uint64_t)data_len)
        return ENODEV;
    if (recv_all(c->sock, out->sense, out->sense_len) < 0)
        return ENODEV;
    /* Data-in lands in the caller's buffer, never more than it offered; with no buffer
     * (dxferp NULL) it is dropped. */
    uint32_t keep = direction == 1 && data_len <= dxfer_len ? data_len
                    : direction == 1 ? dxfer_len : 0;
    if (!h->dxferp)
        keep = 0;
    if (keep > 0 && recv_all(c->sock, h->dxferp, keep) < 0)
        return ENODEV;
    if (skip(c->sock, data_len - keep) < 0)
        return ENODEV;
    return 0;
}
