/*
 * virtdrive preload shim: ioctl() on a drive descriptor. SG_IO goes to the server; the
 * identification and setting ioctls the clients use are answered here as the sg and sr
 * drivers answer them. See virtdrive_shim.c.
 */
#include "shim.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
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

/* ---- SG_IO header checks ----------------------------------------------------------------- */

/* The kernel's <scsi/sg.h> has it; glibc's copy does not. */
#ifndef SG_DXFER_UNKNOWN
#define SG_DXFER_UNKNOWN (-5)
#endif
/* The longest CDB the sg driver takes (SG_MAX_CDB_SIZE), and the one a SCSI command holds
 * (struct scsi_cmnd, cmnd[32]). */
#define VD_SG_MAX_CDB 252
#define VD_SCSI_MAX_CDB 32
/* The longest CDB the server's protocol carries: MMC commands are at most 12 bytes. */
#define VD_WIRE_MAX_CDB 16

/* Whether the process can read (or, with `writable`, also write) the n bytes at p, as the
 * kernel's copy_from_user / copy_to_user would find them: one byte of every page is copied
 * through process_vm_readv (and written back with process_vm_writev), which fail with EFAULT
 * where the memory is not mapped that way instead of faulting. Where the calls are not
 * available the range is taken as usable. */
int vd_user_range_ok(const void *p, size_t n, int writable)
{
    if (n == 0)
        return 1;
    if (!p)
        return 0;
    uintptr_t start = (uintptr_t)p, end = start + n - 1;
    if (end < start)
        return 0;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    if (page == 0 || page == (uintptr_t)-1)
        page = 4096;
    pid_t self = getpid();
    uintptr_t at = start;
    for (;;) {
        unsigned char byte;
        struct iovec local = { &byte, 1 }, remote = { (void *)at, 1 };
        ssize_t r = process_vm_readv(self, &local, 1, &remote, 1, 0);
        if (r < 0 && errno != EFAULT)
            return 1;
        if (r != 1)
            return 0;
        if (writable) {
            r = process_vm_writev(self, &local, 1, &remote, 1, 0);
            if (r < 0 && errno != EFAULT)
                return 1;
            if (r != 1)
                return 0;
        }
        if (at == end)
            return 1;
        uintptr_t next = (at / page + 1) * page;
        at = next > end || next < at ? end : next;
    }
}

/* What the header asks for, once checked: the data phase (0 none, 1 in, 2 out) and what
 * becomes of the caller's buffer. */
struct vd_sg_request {
    int direction;
    /* The sg driver with no buffer (dxferp NULL): the data goes to and from its own
     * buffer only (bio_copy_user_iov, null_mapped), out as zeros, in discarded. */
    int no_buffer;
    /* The sg driver copies data in to the caller after the command (blk_rq_unmap_user):
     * a buffer it cannot write fails the ioctl with EFAULT once the command ran. */
    int fault_after;
};

/* What both drivers check alike: the CDB fits a SCSI command (EINVAL) and can be copied in
 * (copy_from_user: EFAULT). Then the emulator's limits: CDBs the wire carries, and no
 * scatter-gather lists (no client seen uses them). */
static int check_cdb(const sg_io_hdr_t *h)
{
    if (h->cmd_len > VD_SCSI_MAX_CDB || h->cmd_len > VD_WIRE_MAX_CDB)
        return EINVAL;
    if (!vd_user_range_ok(h->cmdp, h->cmd_len, 0))
        return EFAULT;
    return h->iovec_count != 0 ? EINVAL : 0;
}

/* /dev/sgN: the sg driver's rules (drivers/scsi/sg.c, sg_new_write and sg_start_req). */
static int check_sg_header(const sg_io_hdr_t *h, struct vd_sg_request *rq)
{
    if (h->interface_id != 'S')
        return ENOSYS;
    if (!h->cmdp || h->cmd_len < 6 || h->cmd_len > VD_SG_MAX_CDB)
        return EMSGSIZE;
    int err = check_cdb(h);
    if (err)
        return err;
    /* dxfer_len is taken as an int: no data when it is not positive or the direction says
     * none; otherwise SG_DXFER_TO_DEV is data out and every other direction data in
     * (SG_DXFER_UNKNOWN, SG_DXFER_TO_FROM_DEV, 0 or any other value). */
    if ((int)h->dxfer_len <= 0 || h->dxfer_direction == SG_DXFER_NONE) {
        rq->direction = 0;
        return 0;
    }
    rq->direction = h->dxfer_direction == SG_DXFER_TO_DEV ? 2 : 1;
    /* The buffer the driver builds for one command (sg_build_indirect) is bounded. */
    if (h->dxfer_len > VD_MAX_DATA)
        return ENOMEM;
    /* A host adapter's limit on one transfer (VIRTDRIVE_SHIM_MAX_TRANSFER): the buffer
     * cannot be mapped. */
    if (h->dxfer_len > vd_config()->max_transfer)
        return EINVAL;
    if (!h->dxferp) {
        rq->no_buffer = 1;
        return 0;
    }
    /* Data out is copied in before the command is queued; data in after it ran. */
    if (rq->direction == 2)
        return vd_user_range_ok(h->dxferp, h->dxfer_len, 0) ? 0 : EFAULT;
    rq->fault_after = !vd_user_range_ok(h->dxferp, h->dxfer_len, 1);
    return 0;
}

/* /dev/srN: the block layer's SG_IO (drivers/scsi/scsi_ioctl.c, sg_io), which maps the
 * caller's buffer before the command is queued. */
static int check_block_header(const sg_io_hdr_t *h, struct vd_sg_request *rq)
{
    if (h->interface_id != 'S')
        return EINVAL;
    /* dxfer_len beyond the queue's max_hw_sectors, whatever the direction
     * (VIRTDRIVE_SHIM_MAX_TRANSFER). */
    if (h->dxfer_len > vd_config()->max_transfer)
        return EIO;
    rq->direction = 0;
    if (h->dxfer_len > 0) {
        switch (h->dxfer_direction) {
        case SG_DXFER_TO_DEV: rq->direction = 2; break;
        case SG_DXFER_FROM_DEV:
        case SG_DXFER_TO_FROM_DEV: rq->direction = 1; break;
        default: return EINVAL;
        }
    }
    /* An empty CDB has no operation code to send. */
    if (h->cmd_len == 0)
        return EINVAL;
    int err = check_cdb(h);
    if (err)
        return err;
    /* blk_rq_map_user_io pins or copies the whole buffer first: EFAULT before the command. */
    if (rq->direction != 0 && !vd_user_range_ok(h->dxferp, h->dxfer_len, rq->direction == 1))
        return EFAULT;
    return 0;
}

/* The CDB length an operation code's group gives (SPC-4 4.2.5.1); 0 for the groups of no
 * fixed length. */
static uint8_t group_length(uint8_t opcode)
{
    switch (opcode >> 5) {
    case 0: return 6;
    case 1:
    case 2: return 10;
    case 4: return 16;
    case 5: return 12;
    default: return 0;
    }
}

/* SG_IO: checks the header as the node's driver does, then lets the server run the command. */
int vd_sg_io(struct vd_conn *c, sg_io_hdr_t *h)
{
    if (!vd_user_range_ok(h, sizeof *h, 1))
        return fail(EFAULT);
    struct vd_sg_request rq = { 0, 0, 0 };
    int err = c->node->kind == VD_BLOCK ? check_block_header(h, &rq) : check_sg_header(h, &rq);
    if (err) {
        vd_trace("SG_IO refused: %s", strerror(err));
        return fail(err);
    }
    int direction = rq.direction;
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
    err = vd_own_connection(c);
    if (err)
        return fail(err);
    struct vd_completion done;
    memset(&done, 0, sizeof done);
    /* Data in that cannot reach the caller is received and dropped; data out from no
     * buffer is the driver's zeroed one. */
    sg_io_hdr_t sent = *h;
    /* The block node reaches an ATAPI drive through libata, which sends whole packets: the
     * CDB the caller gave, zeros after it (atapi_xlat). dvd+rw-format sends FORMAT UNIT as
     * the two bytes 04 19 for a DVD-RAM's -ssa; the drive reads the zeros that follow. The
     * command goes at its group's length. */
    uint8_t padded[16];
    uint8_t whole = group_length(h->cmdp[0]);
    if (c->node->kind == VD_BLOCK && h->cmd_len < whole && whole <= sizeof padded) {
        memset(padded, 0, sizeof padded);
        memcpy(padded, h->cmdp, h->cmd_len);
        sent.cmdp = padded;
        sent.cmd_len = whole;
    }
    void *zeros = NULL;
    if (rq.fault_after || (rq.no_buffer && direction == 1))
        sent.dxferp = NULL;
    if (rq.no_buffer && direction == 2) {
        zeros = calloc(1, h->dxfer_len);
        if (!zeros)
            return fail(ENOMEM);
        sent.dxferp = zeros;
    }
    err = vd_wire_execute(c, &sent, direction, &done);
    free(zeros);
    if (!err)
        err = done.err;
    if (!err && rq.fault_after) {
        vd_trace("SG_IO opcode %02x: ran; its data cannot be copied to the caller", h->cmdp[0]);
        return fail(EFAULT);
    }
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
    /* Both drivers copy the sense out with copy_to_user: EFAULT where it cannot go. */
    if (sense > 0 && !vd_user_range_ok(h->sbp, sense, 1))
        return fail(EFAULT);
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

/* ---- the block device ioctls -------------------------------------------------------------- */

/* The sr driver's logical block size (sr.c get_sectorsize: 2048 for every MMC medium). */
#define VD_SR_BLOCK 2048

/* The block node's answers to the block layer's ioctls (block/ioctl.c), from the disc's size
 * as the sr driver reads it at open (READ CAPACITY, vd_block_size); no medium is 0 bytes. */
static int block_device_ioctl(struct vd_conn *c, unsigned long request, void *arg)
{
    if (!arg)
        return fail(EFAULT);
    int64_t bytes = 0;
    if (request == BLKGETSIZE || request == BLKGETSIZE64 || request == BLKBSZGET) {
        bytes = vd_block_size(c);
        if (bytes < 0) {
            if (errno != ENOMEDIUM)
                return -1;
            bytes = 0;
        }
    }
    switch (request) {
    case BLKGETSIZE: {
        /* 512-byte sectors, as an unsigned long. */
        unsigned long sectors = (unsigned long)(bytes / 512);
        memcpy(arg, &sectors, sizeof sectors);
        return 0;
    }
    case BLKGETSIZE64: {
        uint64_t v = (uint64_t)bytes;
        memcpy(arg, &v, sizeof v);
        return 0;
    }
    case BLKSSZGET:
    case BLKPBSZGET:
        return put_int(arg, VD_SR_BLOCK);
    case BLKROGET:
        /* sr_probe never marks the disk read-only: writes are refused at open (cdrom_open,
         * EROFS) and per request (sr_init_command), not by the block device's flag. */
        return put_int(arg, 0);
    case BLKBSZGET: {
        /* set_init_blocksize at the first open: the logical block size, doubled while the
         * device's size stays a multiple of it, up to a page. */
        long page = sysconf(_SC_PAGESIZE);
        int64_t bsize = VD_SR_BLOCK;
        while (bsize < page && (bytes & bsize) == 0)
            bsize <<= 1;
        return put_int(arg, (int)bsize);
    }
    default:
        return fail(ENOTTY);
    }
}

/* Under the lock: the drive's answer to ioctl `request`. */
int vd_drive_ioctl(struct vd_conn *c, unsigned long request, void *arg)
{
    const int *a = vd_config()->address;
    int v;
    switch (request) {
    case SG_IO:
        return vd_sg_io(c, arg);
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
    case CDROM_GET_CAPABILITY:
    case CDROM_DRIVE_STATUS:
    case CDROM_DISC_STATUS:
    case CDROMREADTOCHDR:
    case CDROMREADTOCENTRY:
    case CDROMMULTISESSION:
    case CDROM_GET_MCN:
    case CDROMREADMODE1:
    case CDROMREADMODE2:
    case CDROM_SEND_PACKET:
    case CDROMEJECT:
    case CDROMCLOSETRAY:
    case CDROM_LOCKDOOR:
        /* The sg node has no cdrom layer. */
        if (c->node->kind != VD_BLOCK)
            return fail(ENOTTY);
        return vd_cdrom_ioctl(c, request, arg);
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
    case BLKGETSIZE:
    case BLKGETSIZE64:
    case BLKSSZGET:
    case BLKPBSZGET:
    case BLKROGET:
    case BLKBSZGET:
        if (c->node->kind != VD_BLOCK)
            return fail(ENOTTY);
        return block_device_ioctl(c, request, arg);
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
