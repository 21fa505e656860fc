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
    int err = vd_own_connection(c);
    if (err)
        return fail(err);
    struct vd_completion done;
    memset(&done, 0, sizeof done);
    err = vd_wire_execute(c, h, direction, &done);
    if (!err)
        err = done.err;
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
    case SG_SET_RESERVED_SIZE:
        if (get_int(arg, &v) < 0)
            return -1;
        if (v < 0)
            return fail(EINVAL);
        c->reserved_size = v < (int)VD_MAX_DATA ? v : (int)VD_MAX_DATA;
        return 0;
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
