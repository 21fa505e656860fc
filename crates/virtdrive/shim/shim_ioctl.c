/*
 * virtdrive preload shim: ioctl() on a drive descriptor. SG_IO goes to the server; the
 * identification and setting ioctls the clients use are answered here as the sg and sr
 * drivers answer them. See virtdrive_shim.c.
 */
#include "shim.h"

#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/cdrom.h>
#include <linux/fs.h>
#include <linux/hdreg.h>
#include <scsi/scsi.h>

DEFINE_REAL(ioctl)

/* The sg driver's answers, as a current kernel gives them (sg 3.5.36). */
#define VD_SG_VERSION 30536

/* ---- ioctl --------------------------------------------------------------------------------- */

static int fail(int err)
{
    errno = err;
    return -1;
}

/* ---- VIRTDRIVE_SHIM_FAIL ---------------------------------------------------------------- */

/* Matching SG_IO calls seen by each rule in this process (a forked child goes on counting
 * from its parent's numbers; a new program image starts from zero). Under the lock. */
static unsigned fail_seen[VD_MAX_FAIL_RULES];

/* The rule that applies to this SG_IO, or NULL. Every rule whose opcode matches counts it. */
static const struct vd_fail_rule *injected_failure(uint8_t opcode)
{
    const struct vd_config *cfg = vd_config();
    const struct vd_fail_rule *hit = NULL;
    for (int i = 0; i < cfg->fail_count; i++) {
        const struct vd_fail_rule *r = &cfg->fail[i];
        if (r->opcode >= 0 && r->opcode != opcode)
            continue;
        unsigned seen = ++fail_seen[i];
        if (!hit && seen >= r->nth && seen - r->nth < r->count)
            hit = r;
    }
    return hit;
}

/* The output fields of a command the host adapter or the driver failed: no SCSI status, no
 * sense, nothing transferred, SG_INFO_CHECK. */
static void fill_failed(sg_io_hdr_t *h, int direction, const struct vd_fail_rule *r)
{
    h->status = 0;
    h->masked_status = 0;
    h->msg_status = 0;
    h->host_status = r->kind == VD_FAIL_HOST ? (unsigned short)r->value : 0;
    h->driver_status = r->kind == VD_FAIL_DRIVER ? (unsigned short)r->value : 0;
    h->info = SG_INFO_CHECK;
    h->resid = direction == 0 ? 0 : (int)h->dxfer_len;
    h->duration = 0;
    h->sb_len_wr = 0;
}

/* SG_IO: checks the header as the sg driver does, then lets the server run the command. */
static int sg_io(struct vd_conn *c, sg_io_hdr_t *h)
{
    if (!h)
        return fail(EFAULT);
    if (h->interface_id != 'S')
        return fail(c->node->kind == VD_CHAR ? ENOSYS : EINVAL);
    if (h->cmd_len < 1 || h->cmd_len > 16 || !h->cmdp)
        return fail(EINVAL);
    /* No client seen uses scatter-gather lists. */
    if (h->iovec_count != 0)
        return fail(EINVAL);
    int direction;
    switch (h->dxfer_direction) {
    case SG_DXFER_NONE: direction = 0; break;
    case SG_DXFER_TO_DEV: direction = 2; break;
    case SG_DXFER_FROM_DEV:
    case SG_DXFER_TO_FROM_DEV: direction = 1; break;
    default: return fail(EINVAL);
    }
    if (direction != 0 && h->dxfer_len > VD_MAX_DATA)
        return fail(ENOMEM);
    if (direction != 0 && h->dxfer_len > 0 && !h->dxferp)
        return fail(EFAULT);
    if (direction != 0 && h->dxfer_len == 0)
        direction = 0;
    /* A host adapter's limit on one transfer (VIRTDRIVE_SHIM_MAX_TRANSFER), refused as Linux
     * refuses it: the block layer's SG_IO with EIO (dxfer_len > max_hw_sectors << 9,
     * scsi_ioctl.c), the sg driver with EINVAL (the buffer cannot be mapped). */
    if (direction != 0 && h->dxfer_len > vd_config()->max_transfer) {
        vd_trace("SG_IO opcode %02x len %u: over the transfer limit %u", h->cmdp[0],
                 h->dxfer_len, vd_config()->max_transfer);
        return fail(c->node->kind == VD_BLOCK ? EIO : EINVAL);
    }
    const struct vd_fail_rule *inject = injected_failure(h->cmdp[0]);
    if (inject && inject->kind != VD_FAIL_ERRNO) {
        vd_trace("SG_IO opcode %02x: injected %s status %#x", h->cmdp[0],
                 inject->kind == VD_FAIL_HOST ? "host" : "driver", (unsigned)inject->value);
        fill_failed(h, direction, inject);
        return 0;
    }
    /* An injected errno fails the ioctl before the command reaches the drive, except EINTR:
     * the sg driver's wait for the command is interrupted while the command goes on (sg.c
     * orphans it), so the drive runs it and the result is lost. */
    if (inject && inject->value != EINTR) {
        vd_trace("SG_IO opcode %02x: injected %s", h->cmdp[0], strerror(inject->value));
        return fail(inject->value);
    }
    int err = vd_own_connection(c);
    if (err)
        return fail(err);
    struct vd_completion done;
    memset(&done, 0, sizeof done);
    err = vd_wire_execute(c, h, direction, &done);
    if (!err)
        err = done.err;
    if (!err && inject) {
        vd_trace("SG_IO opcode %02x: ran, then injected EINTR", h->cmdp[0]);
        return fail(EINTR);
    }
    vd_trace("SG_IO opcode %02x len %u: %s status %02x sense %u host %u driver %u",
             h->cmdp[0], h->dxfer_len, err ? strerror(err) : "done", done.status,
             done.sense_len, done.host_status, done.driver_status);
    if (err)
        return fail(err);
    h->status = done.status;
    h->masked_status = done.masked_status;
    h->msg_status = 0;
    h->host_status = done.host_status;
    h->driver_status = done.driver_status;
    h->info = done.info;
    h->resid = direction == 0 ? 0 : done.resid;
    h->duration = done.duration;
    unsigned sense = done.sense_len < h->mx_sb_len ? done.sense_len : h->mx_sb_len;
    if (!h->sbp)
        sense = 0;
    if (sense > 0)
        memcpy(h->sbp, done.sense, sense);
    h->sb_len_wr = (unsigned char)sense;
    return 0;
}

static int put_int(void *arg, int v)
{
    if (!arg)
        return fail(EFAULT);
    memcpy(arg, &v, sizeof v);
    return 0;
}

static int get_int(const void *arg, int *v)
{
    if (!arg)
        return fail(EFAULT);
    memcpy(v, arg, sizeof *v);
    return 0;
}

/* Under the lock: the drive's answer to ioctl `request`. */
int vd_drive_ioctl(struct vd_conn *c, unsigned long request, void *arg)
{
    const int *a = vd_config()->address;
    int v;
    switch (request) {
    case SG_IO:
        return sg_io(c, arg);
    case SG_GET_VERSION_NUM:
        return put_int(arg, VD_SG_VERSION);
    case SG_GET_SCSI_ID: {
        if (!arg)
            return fail(EFAULT);
        struct sg_scsi_id id;
        memset(&id, 0, sizeof id);
        id.host_no = a[0];
        id.channel = a[1];
        id.scsi_id = a[2];
        id.lun = a[3];
        id.scsi_type = 5; /* TYPE_ROM: an MMC device */
        id.h_cmd_per_lun = 1;
        id.d_queue_depth = 1;
        memcpy(arg, &id, sizeof id);
        return 0;
    }
    case SCSI_IOCTL_GET_IDLUN: {
        if (!arg)
            return fail(EFAULT);
        /* target | lun << 8 | channel << 16 | host << 24, then a unique host id. */
        int idlun[2] = { (a[2] & 0xFF) | (a[3] & 0xFF) << 8 | (a[1] & 0xFF) << 16 |
                             (a[0] & 0xFF) << 24,
                         a[0] + 1 };
        memcpy(arg, idlun, sizeof idlun);
        return 0;
    }
    case SCSI_IOCTL_GET_BUS_NUMBER:
        return put_int(arg, a[0]);
    case SG_SET_TIMEOUT:
        if (get_int(arg, &v) < 0)
            return -1;
        if (v < 0)
            return fail(EIO);
        c->timeout = v;
        return 0;
    case SG_GET_TIMEOUT:
        /* The answer is the return value, not written through the argument. */
        return c->timeout;
    case SG_GET_RESERVED_SIZE:
        return put_int(arg, c->reserved_size);
    case SG_SET_RESERVED_SIZE: {
        if (get_int(arg, &v) < 0)
            return -1;
        if (v < 0)
            return fail(EINVAL);
        /* The sg driver grants at most the queue's max_sectors (sg.c, sg_ioctl). */
        int max = (int)vd_config()->max_transfer;
        c->reserved_size = v < max ? v : max;
        return 0;
    }
    case BLKSECTGET: {
        /* The queue's max_sectors: on the block node an unsigned short of 512-byte sectors
         * (block/ioctl.c, put_ushort), on the sg node an int of bytes (sg.c, sg_ioctl). */
        uint32_t max = vd_config()->max_transfer;
        if (!arg)
            return fail(EFAULT);
        if (c->node->kind == VD_BLOCK) {
            uint32_t sectors = max / 512;
            unsigned short s = (unsigned short)(sectors < 0xFFFF ? sectors : 0xFFFF);
            memcpy(arg, &s, sizeof s);
            return 0;
        }
        return put_int(arg, (int)max);
    }
    case SG_EMULATED_HOST:
        return put_int(arg, 0);
    case SG_GET_SG_TABLESIZE:
        return put_int(arg, 128);
    case SG_GET_COMMAND_Q:
    case SG_GET_LOW_DMA:
    case SG_GET_PACK_ID:
    case SG_GET_NUM_WAITING:
        return put_int(arg, 0);
    case SG_SET_COMMAND_Q:
    case SG_SET_FORCE_PACK_ID:
    case SG_SET_DEBUG:
    case SG_SET_KEEP_ORPHAN:
        return 0;
    case CDROM_MEDIA_CHANGED:
        if (c->node->kind != VD_BLOCK)
            return fail(ENOTTY);
        /* The cdrom driver's answer after it consumed the change already (growisofs asks
         * once to clear the flag before it writes): unchanged. */
        return 0;
    case BLKFLSBUF:
        /* The block node keeps no cache to flush (shim_block.c reads through every time);
         * growisofs takes the refusal for "the tray must be reloaded". */
        if (c->node->kind != VD_BLOCK)
            return fail(ENOTTY);
        return 0;
    case HDIO_GET_IDENTITY:
        /* Not an ATA disk: libburn asks and expects a refusal. */
        return fail(EINVAL);
    default:
        vd_trace("ioctl %#lx is not emulated", request);
        return fail(ENOTTY);
    }
}

VD_EXPORT int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (!vd_is_fake(fd))
        return CALL_REAL(ioctl, fd, request, arg);
    pthread_mutex_lock(&vd_lock);
    struct vd_conn *c = vd_conn_of(fd);
    int saved, r = c ? vd_drive_ioctl(c, request, arg) : CALL_REAL(ioctl, fd, request, arg);
    saved = errno;
    pthread_mutex_unlock(&vd_lock);
    errno = saved;
    return r;
}
