/*
 * virtdrive preload shim: the Linux cdrom layer on the block node. The ioctls of
 * <linux/cdrom.h> that programs use (libcdio's cd-info, eject) are answered as the sr driver
 * and drivers/cdrom/cdrom.c answer them on a current kernel: each sends the MMC commands the
 * kernel sends, so they reach the emulated drive and its transcript. See virtdrive_shim.c.
 */
#include "shim.h"

#include <string.h>
#include <linux/cdrom.h>

/* The kernel's <scsi/sg.h> has it; glibc's copy does not. */
#ifndef SG_DXFER_UNKNOWN
#define SG_DXFER_UNKNOWN (-5)
#endif

static int fail(int err)
{
    errno = err;
    return -1;
}

/* One command as the cdrom layer sends it (sr_do_ioctl, sr_ioctl.c): a CHECK CONDITION
 * becomes an errno. UNIT ATTENTION is tried again (up to 10 times, then ENOMEDIUM), NOT
 * READY is ENOMEDIUM, ILLEGAL REQUEST EIO (EOPNOTSUPP for 20/00, an unknown operation
 * code), anything else EIO. 0 with *got bytes moved, or -1 with errno. */
static int sr_command(struct vd_conn *c, const uint8_t *cdb, uint8_t cdb_len, void *buf,
                      uint32_t len, uint32_t *got)
{
    for (int tries = 0;; tries++) {
        struct vd_completion done;
        int r = vd_command(c, cdb, cdb_len, len > 0 ? 1 : 0, buf, len, &done, got);
        if (r <= 0)
            return r;
        int key, asc, ascq;
        vd_sense(&done, &key, &asc, &ascq);
        switch (key) {
        case 0x06:
            if (tries < 10)
                continue;
            return fail(ENOMEDIUM);
        case 0x02:
            return fail(ENOMEDIUM);
        case 0x05:
            return fail(asc == 0x20 && ascq == 0x00 ? EOPNOTSUPP : EIO);
        default:
            return fail(EIO);
        }
    }
}

/* One command as the SCSI mid level sends it for an ioctl (ioctl_internal_command,
 * scsi_ioctl.c): 0 when it completed or reported UNIT ATTENTION (a removable device's
 * "medium changed" is no error), else the SCSI status it ended with (a positive result,
 * not an errno), or -1 with errno when it could not be sent. */
static int internal_command(struct vd_conn *c, const uint8_t cdb[6])
{
    struct vd_completion done;
    uint32_t got = 0;
    int r = vd_command(c, cdb, 6, 0, NULL, 0, &done, &got);
    if (r <= 0)
        return r;
    int key, asc, ascq;
    vd_sense(&done, &key, &asc, &ascq);
    return key == 0x06 ? 0 : done.status;
}

/* ---- capabilities and status ------------------------------------------------------------- */

/* What the sr driver offers before page 2Ah takes its part away (sr.c, SR_CAPABILITIES). */
#define SR_CAPABILITIES                                                                        \
    (CDC_CLOSE_TRAY | CDC_OPEN_TRAY | CDC_LOCK | CDC_SELECT_SPEED | CDC_SELECT_DISC |          \
     CDC_MULTI_SESSION | CDC_MCN | CDC_MEDIA_CHANGED | CDC_PLAY_AUDIO | CDC_RESET |            \
     CDC_DRIVE_STATUS | CDC_CD_R | CDC_CD_RW | CDC_DVD | CDC_DVD_R | CDC_DVD_RAM |             \
     CDC_GENERIC_PACKET | CDC_MRW | CDC_MRW_W | CDC_RAM)

/* CDROM_GET_CAPABILITY: SR_CAPABILITIES less what MODE SENSE (10) page 2Ah (MMC-3 6.3.11)
 * says the drive lacks, as sr.c get_capabilities reads it when it probes the drive (sent
 * here at each call). A drive without the page keeps the capabilities of a plain CD-ROM. */
static int get_capability(struct vd_conn *c)
{
    static const uint8_t cdb[10] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 128, 0 };
    uint8_t page[128];
    uint32_t got = 0;
    memset(page, 0, sizeof page);
    unsigned mask = 0;
    if (sr_command(c, cdb, sizeof cdb, page, sizeof page, &got) < 0 || got < 8) {
        mask = CDC_CD_R | CDC_CD_RW | CDC_DVD_R | CDC_DVD | CDC_DVD_RAM | CDC_SELECT_DISC |
               CDC_SELECT_SPEED | CDC_MRW | CDC_MRW_W | CDC_RAM;
        return SR_CAPABILITIES & ~mask;
    }
    /* The page follows the mode parameter header and the block descriptors. */
    size_t n = 8 + ((size_t)page[6] << 8 | page[7]);
    if (n + 7 > got)
        return SR_CAPABILITIES & ~(unsigned)CDC_SELECT_DISC;
    const uint8_t *p = page + n;
    if ((p[6] >> 5) == 0) /* a caddy */
        mask |= CDC_CLOSE_TRAY;
    if (!(p[2] & 0x08)) /* DVD-ROM Read */
        mask |= CDC_DVD;
    if (!(p[3] & 0x20)) /* DVD-RAM Write */
        mask |= CDC_DVD_RAM;
    if (!(p[3] & 0x10)) /* DVD-R Write */
        mask |= CDC_DVD_R;
    if (!(p[3] & 0x02)) /* CD-RW Write */
        mask |= CDC_CD_RW;
    if (!(p[3] & 0x01)) /* CD-R Write */
        mask |= CDC_CD_R;
    if (!(p[6] & 0x08)) /* Eject */
        mask |= CDC_OPEN_TRAY;
    /* Not a changer: one slot. */
    mask |= CDC_SELECT_DISC;
    return (int)(SR_CAPABILITIES & ~mask);
}

/* CDROM_DRIVE_STATUS (sr.c sr_drive_status): TEST UNIT READY; when the drive is not ready,
 * GET EVENT STATUS NOTIFICATION for the media class (MMC-6 6.6, polled; as cdrom.c
 * cdrom_get_media_event asks), else what the sense says. The slot argument is ignored:
 * the drive is no changer. */
static int drive_status(struct vd_conn *c)
{
    static const uint8_t tur[6] = { 0x00 };
    struct vd_completion done;
    uint32_t got = 0;
    int r = 1;
    /* scsi_test_unit_ready: UNIT ATTENTION is tried again (MAX_RETRIES, 3). */
    for (int tries = 0; tries < 3; tries++) {
        r = vd_command(c, tur, sizeof tur, 0, NULL, 0, &done, &got);
        if (r < 0)
            return -1;
        int key, asc, ascq;
        vd_sense(&done, &key, &asc, &ascq);
        if (r == 0 || key != 0x06)
            break;
    }
    if (r == 0)
        return CDS_DISC_OK;
    int key, asc, ascq;
    vd_sense(&done, &key, &asc, &ascq);
    if (key == 0x02 && asc == 0x04 && ascq == 0x01)
        return CDS_DRIVE_NOT_READY;
    static const uint8_t gesn[10] = { 0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0 };
    uint8_t event[8];
    memset(event, 0, sizeof event);
    struct vd_completion ev;
    got = 0;
    r = vd_command(c, gesn, sizeof gesn, 1, event, sizeof event, &ev, &got);
    if (r < 0)
        return -1;
    /* An event header (NEA clear, class 4: media) and its 4-byte media descriptor. */
    if (r == 0 && got >= 8 && ((unsigned)event[0] << 8 | event[1]) >= 4 &&
        !(event[2] & 0x80) && (event[2] & 0x07) == 0x04) {
        if (event[5] & 0x02) /* Media Present */
            return CDS_DISC_OK;
        return event[5] & 0x01 ? CDS_TRAY_OPEN : CDS_NO_DISC; /* Door or Tray Open */
    }
    if (key == 0x02 && asc == 0x04 && ascq == 0x02)
        return CDS_TRAY_OPEN;
    if (key == 0x02 && asc == 0x04)
        return CDS_DISC_OK;
    return asc == 0x3A ? CDS_NO_DISC : CDS_TRAY_OPEN;
}

/* ---- the TOC ----------------------------------------------------------------------------- */

/* READ TOC/PMA/ATIP format 0h with 12 bytes: the header and the first descriptor from
 * `track` (MMC-6 6.26), as sr_ioctl.c sr_read_tochdr and sr_read_tocentry ask. */
static int read_toc(struct vd_conn *c, uint8_t track, int msf, uint8_t out[12])
{
    uint8_t cdb[10] = { 0x43, (uint8_t)(msf ? 0x02 : 0), 0, 0, 0, 0, track, 0, 12, 0 };
    uint32_t got = 0;
    memset(out, 0, 12);
    return sr_command(c, cdb, sizeof cdb, out, 12, &got);
}

/* cdrom.c sanitize_format: an MSF address as an LBA (the 150 frames of the pregap less). */
static int lba_of_msf(uint8_t m, uint8_t s, uint8_t f)
{
    return ((int)m * CD_SECS + s) * CD_FRAMES + f - CD_MSF_OFFSET;
}

static void msf_of_lba(int lba, struct cdrom_msf0 *msf)
{
    lba += CD_MSF_OFFSET;
    if (lba < 0)
        lba = 0;
    msf->minute = (uint8_t)(lba / (CD_SECS * CD_FRAMES));
    lba %= CD_SECS * CD_FRAMES;
    msf->second = (uint8_t)(lba / CD_FRAMES);
    msf->frame = (uint8_t)(lba % CD_FRAMES);
}

static int read_tochdr(struct vd_conn *c, struct cdrom_tochdr *hdr)
{
    uint8_t toc[12];
    if (read_toc(c, 0, 0, toc) < 0)
        return -1;
    hdr->cdth_trk0 = toc[2];
    hdr->cdth_trk1 = toc[3];
    return 0;
}

/* CDROMREADTOCENTRY (cdrom.c cdrom_read_tocentry): the entry is always read in MSF and
 * given in the format asked for; only CDROM_MSF and CDROM_LBA are formats (EINVAL). */
static int read_tocentry(struct vd_conn *c, struct cdrom_tocentry *e)
{
    uint8_t requested = e->cdte_format;
    if (requested != CDROM_MSF && requested != CDROM_LBA)
        return fail(EINVAL);
    uint8_t toc[12];
    if (read_toc(c, e->cdte_track, 1, toc) < 0)
        return -1;
    e->cdte_ctrl = toc[5] & 0x0F;
    e->cdte_adr = toc[5] >> 4;
    e->cdte_datamode = (e->cdte_ctrl & CDROM_DATA_TRACK) ? 1 : 0;
    if (requested == CDROM_MSF) {
        e->cdte_addr.msf.minute = toc[9];
        e->cdte_addr.msf.second = toc[10];
        e->cdte_addr.msf.frame = toc[11];
    } else {
        e->cdte_addr.lba = lba_of_msf(toc[9], toc[10], toc[11]);
    }
    e->cdte_format = requested;
    return 0;
}

/* CDROM_DISC_STATUS (cdrom.c cdrom_ioctl_disc_status, cdrom_count_tracks): every track of
 * the TOC by its control nibble; no TOC is CDS_NO_DISC without a medium, else CDS_NO_INFO. */
static int disc_status(struct vd_conn *c)
{
    struct cdrom_tochdr hdr;
    if (read_tochdr(c, &hdr) < 0)
        return errno == ENOMEDIUM ? CDS_NO_DISC : CDS_NO_INFO;
    unsigned audio = 0, data = 0;
    for (unsigned t = hdr.cdth_trk0; t <= hdr.cdth_trk1 && t < 100; t++) {
        struct cdrom_tocentry e;
        memset(&e, 0, sizeof e);
        e.cdte_track = (uint8_t)t;
        e.cdte_format = CDROM_MSF;
        if (read_tocentry(c, &e) < 0)
            return CDS_NO_INFO;
        if (e.cdte_ctrl & CDROM_DATA_TRACK)
            data++;
        else
            audio++;
    }
    /* cdrom_count_tracks reads in MSF, so a data track is never counted as XA or CD-i. */
    if (audio > 0)
        return data > 0 ? CDS_MIXED : CDS_AUDIO;
    return data > 0 ? CDS_DATA_1 : CDS_NO_INFO;
}

/* CDROMMULTISESSION (cdrom.c cdrom_ioctl_multisession, sr_vendor.c sr_cd_check for an MMC
 * drive): READ TOC/PMA/ATIP with the session format in Control bits 7-6, as the sr driver
 * sends it; the start of the last session's first track, 0 when that is track 1 or when
 * the drive cannot tell. The XA flag is set for any later session (sr_is_xa is off by
 * default). */
static int multisession(struct vd_conn *c, struct cdrom_multisession *ms)
{
    uint8_t requested = ms->addr_format;
    if (requested != CDROM_MSF && requested != CDROM_LBA)
        return fail(EINVAL);
    static const uint8_t cdb[10] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0x40 };
    uint8_t toc[12];
    uint32_t got = 0;
    memset(toc, 0, sizeof toc);
    int lba = 0;
    if (sr_command(c, cdb, sizeof cdb, toc, sizeof toc, &got) == 0 &&
        ((unsigned)toc[0] << 8 | toc[1]) >= 0x0A && toc[6] > 1)
        lba = (int)((uint32_t)toc[8] << 24 | (uint32_t)toc[9] << 16 | (uint32_t)toc[10] << 8 |
                    toc[11]);
    ms->xa_flag = lba > 0;
    if (requested == CDROM_MSF)
        msf_of_lba(lba, &ms->addr.msf);
    else
        ms->addr.lba = lba;
    ms->addr_format = requested;
    return 0;
}

/* CDROM_GET_MCN (sr_ioctl.c sr_get_mcn): READ SUB-CHANNEL with SubQ, format 02h (Media
 * Catalog Number, MMC-3 6.1.23), 24 bytes; the 13 digits from byte 9. */
static int get_mcn(struct vd_conn *c, struct cdrom_mcn *mcn)
{
    static const uint8_t cdb[10] = { 0x42, 0, 0x40, 0x02, 0, 0, 0, 0, 24, 0 };
    uint8_t data[24];
    uint32_t got = 0;
    memset(data, 0, sizeof data);
    if (sr_command(c, cdb, sizeof cdb, data, sizeof data, &got) < 0)
        return -1;
    memcpy(mcn->medium_catalog_number, data + 9, sizeof mcn->medium_catalog_number - 1);
    mcn->medium_catalog_number[sizeof mcn->medium_catalog_number - 1] = 0;
    return 0;
}

/* ---- reading sectors --------------------------------------------------------------------- */

/* CDROMREADMODE1 and CDROMREADMODE2 (cdrom.c mmc_ioctl_cdrom_read_data, cdrom_read_block):
 * the MSF address in the caller's struct cdrom_msf as an LBA (EINVAL below 0), then one
 * sector with MMC-6 READ CD: Mode 1, user data (byte 9 10h) for 2048 bytes, or any
 * type with the sub-header, user data and EDC/ECC (58h) for 2336; the data goes over the
 * caller's structure. The kernel falls back to MODE SELECT and READ (10) only for a drive
 * without READ CD (05/20/00), which the emulated drive is not. */
static int read_data(struct vd_conn *c, void *arg, int mode2)
{
    uint32_t blocksize = mode2 ? CD_FRAMESIZE_RAW0 : CD_FRAMESIZE;
    struct cdrom_msf msf;
    if (!vd_user_range_ok(arg, sizeof msf, 0))
        return fail(EFAULT);
    memcpy(&msf, arg, sizeof msf);
    int lba = lba_of_msf(msf.cdmsf_min0, msf.cdmsf_sec0, msf.cdmsf_frame0);
    if (lba < 0)
        return fail(EINVAL);
    uint32_t a = (uint32_t)lba;
    const uint8_t cdb[12] = { 0xBE, (uint8_t)(mode2 ? 0 : 2 << 2), (uint8_t)(a >> 24),
                              (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 0, 0, 1,
                              (uint8_t)(mode2 ? 0x58 : 0x10), 0, 0 };
    uint8_t buf[CD_FRAMESIZE_RAW0];
    uint32_t got = 0;
    memset(buf, 0, sizeof buf);
    if (sr_command(c, cdb, sizeof cdb, buf, blocksize, &got) < 0)
        return -1;
    if (!vd_user_range_ok(arg, blocksize, 1))
        return fail(EFAULT);
    memcpy(arg, buf, blocksize);
    return 0;
}

/* ---- CDROM_SEND_PACKET ------------------------------------------------------------------- */

/* scsi_ioctl.c scsi_cdrom_send_packet: a 12-byte CDB through the block layer's SG_IO, the
 * direction from CGC_DATA_* (another value is EINVAL), the sense into a struct
 * request_sense; a command that ends with a non-GOOD status is EIO once its sense is out;
 * else stat 0 and buflen the residual count. */
static int send_packet(struct vd_conn *c, struct cdrom_generic_command *cgc)
{
    if (!vd_user_range_ok(cgc, sizeof *cgc, 1))
        return fail(EFAULT);
    sg_io_hdr_t h;
    memset(&h, 0, sizeof h);
    h.interface_id = 'S';
    /* All 12 bytes (CDROM_PACKET_SIZE), as the kernel passes them: the drive takes the
     * command's length from its operation code's group (SPC-4 4.2.5.1) and the zeros after
     * it for the packet's padding. */
    h.cmd_len = sizeof cgc->cmd;
    h.cmdp = cgc->cmd;
    h.dxfer_len = cgc->buflen;
    switch (cgc->data_direction) {
    case CGC_DATA_UNKNOWN: h.dxfer_direction = SG_DXFER_UNKNOWN; break;
    case CGC_DATA_WRITE: h.dxfer_direction = SG_DXFER_TO_DEV; break;
    case CGC_DATA_READ: h.dxfer_direction = SG_DXFER_FROM_DEV; break;
    case CGC_DATA_NONE: h.dxfer_direction = SG_DXFER_NONE; break;
    default: return fail(EINVAL);
    }
    h.dxferp = cgc->buffer;
    h.sbp = (unsigned char *)cgc->sense;
    if (h.sbp)
        h.mx_sb_len = sizeof(struct request_sense);
    /* USER_HZ ticks to milliseconds. */
    h.timeout = cgc->timeout > 0 ? (unsigned)cgc->timeout * 10u : 0;
    int r = vd_sg_io(c, &h);
    int err = r < 0 ? errno : 0;
    if (err == EFAULT)
        return fail(EFAULT);
    if (r == 0 && h.status != 0)
        return fail(EIO);
    cgc->stat = -err;
    cgc->buflen = (unsigned)h.resid;
    return err ? fail(err) : 0;
}

/* ---- the tray ---------------------------------------------------------------------------- */

/* CDROMEJECT and CDROMCLOSETRAY go to the SCSI mid level on a current kernel (sr.c
 * sr_block_ioctl; scsi_ioctl.c scsi_send_start_stop): START STOP UNIT with LoEj, Start 0
 * (eject) or 1 (load), MMC-6 6.40. CDROM_LOCKDOOR is the cdrom layer's (cdrom.c
 * cdrom_ioctl_lock_door, sr_lock_door, scsi_set_medium_removal): PREVENT ALLOW MEDIUM
 * REMOVAL (SPC-4 6.13) with Prevent 01b or 00b. */
static int start_stop(struct vd_conn *c, uint8_t start)
{
    const uint8_t cdb[6] = { 0x1B, 0, 0, 0, (uint8_t)(0x02 | start), 0 };
    return internal_command(c, cdb);
}

static int lock_door(struct vd_conn *c, int lock)
{
    const uint8_t cdb[6] = { 0x1E, 0, 0, 0, (uint8_t)(lock ? 1 : 0), 0 };
    return internal_command(c, cdb);
}

/* ---- the ioctls -------------------------------------------------------------------------- */

/* An ioctl on a structure of the caller's: copied in (copy_from_user), filled by `op`, copied
 * back (copy_to_user); EFAULT where the caller's memory cannot take it. */
static int in_out(struct vd_conn *c, void *arg, size_t size, int (*op)(struct vd_conn *, void *))
{
    union {
        struct cdrom_tochdr hdr;
        struct cdrom_tocentry entry;
        struct cdrom_multisession ms;
        struct cdrom_mcn mcn;
    } buf;
    if (size > sizeof buf || !vd_user_range_ok(arg, size, 1))
        return fail(EFAULT);
    memset(&buf, 0, sizeof buf);
    memcpy(&buf, arg, size);
    if (op(c, &buf) < 0)
        return -1;
    memcpy(arg, &buf, size);
    return 0;
}

static int op_tochdr(struct vd_conn *c, void *p) { return read_tochdr(c, p); }
static int op_tocentry(struct vd_conn *c, void *p) { return read_tocentry(c, p); }
static int op_multisession(struct vd_conn *c, void *p) { return multisession(c, p); }
static int op_mcn(struct vd_conn *c, void *p) { return get_mcn(c, p); }

int vd_cdrom_ioctl(struct vd_conn *c, unsigned long request, void *arg)
{
    switch (request) {
    case CDROM_GET_CAPABILITY:
        return get_capability(c);
    case CDROM_DRIVE_STATUS:
        return drive_status(c);
    case CDROM_DISC_STATUS:
        return disc_status(c);
    case CDROMREADTOCHDR:
        return in_out(c, arg, sizeof(struct cdrom_tochdr), op_tochdr);
    case CDROMREADTOCENTRY:
        return in_out(c, arg, sizeof(struct cdrom_tocentry), op_tocentry);
    case CDROMMULTISESSION:
        return in_out(c, arg, sizeof(struct cdrom_multisession), op_multisession);
    case CDROM_GET_MCN:
        return in_out(c, arg, sizeof(struct cdrom_mcn), op_mcn);
    case CDROMREADMODE1:
        return read_data(c, arg, 0);
    case CDROMREADMODE2:
        return read_data(c, arg, 1);
    case CDROM_SEND_PACKET:
        return send_packet(c, arg);
    case CDROMEJECT:
        return start_stop(c, 0);
    case CDROMCLOSETRAY:
        return start_stop(c, 1);
    case CDROM_LOCKDOOR:
        /* The argument is the value itself. */
        return lock_door(c, arg != NULL);
    default:
        return fail(ENOTTY);
    }
}
