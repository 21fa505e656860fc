/*
 * Raw ioctls on a drive node, run under `virtdrive run` by shim_ioctls.rs: one line per case,
 * "NAME: ok DETAIL" or "NAME: ERRNO", so the test can compare each with what Linux answers.
 * Usage: probe NODE (/dev/sr9 or /dev/sg9).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/cdrom.h>
#include <linux/fs.h>
#include <scsi/sg.h>

/* The kernel's <scsi/sg.h> has it; glibc's copy does not. */
#ifndef SG_DXFER_UNKNOWN
#define SG_DXFER_UNKNOWN (-5)
#endif

static const char *errno_name(int e)
{
    switch (e) {
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EFAULT: return "EFAULT";
    case EIO: return "EIO";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOMEM: return "ENOMEM";
    case ENOTTY: return "ENOTTY";
    case EPERM: return "EPERM";
    case ENOMEDIUM: return "ENOMEDIUM";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return "other";
    }
}

static const unsigned char TUR[6] = { 0x00 };
static const unsigned char INQUIRY[6] = { 0x12, 0, 0, 0, 96, 0 };
/* MODE SELECT (10), PF, parameter list length 8192. */
static const unsigned char MODE_SELECT[10] = { 0x55, 0x10, 0, 0, 0, 0, 0, 0x20, 0x00, 0 };

static unsigned char sense[64];

static void header(sg_io_hdr_t *h, const unsigned char *cdb, unsigned char len, int direction,
                   void *data, unsigned dxfer_len)
{
    memset(h, 0, sizeof *h);
    h->interface_id = 'S';
    h->cmd_len = len;
    h->cmdp = (unsigned char *)cdb;
    h->dxfer_direction = direction;
    h->dxferp = data;
    h->dxfer_len = dxfer_len;
    h->sbp = sense;
    h->mx_sb_len = sizeof sense;
    h->timeout = 10000;
}

/* Runs one SG_IO and prints its outcome: the errno, or the SCSI status, resid and the first
 * byte of data (the peripheral device type of INQUIRY, FF when nothing arrived). */
static void run(int fd, const char *name, sg_io_hdr_t *h, const unsigned char *data)
{
    int r = ioctl(fd, SG_IO, h);
    if (r < 0) {
        printf("%s: %s\n", name, errno_name(errno));
        return;
    }
    printf("%s: ok status %02x first %02x resid %d\n", name, h->status,
           data ? data[0] : 0xFF, h->resid);
}

/* Prints an ioctl's outcome: its return value, or its errno. */
static int report(const char *name, int r)
{
    if (r < 0)
        printf("%s: %s\n", name, errno_name(errno));
    else
        printf("%s: ok %d\n", name, r);
    return r;
}

/* The cdrom driver's ioctls (the block node's; drivers/cdrom/cdrom.c). */
static void cdrom_ioctls(int fd)
{
    int caps = ioctl(fd, CDROM_GET_CAPABILITY, 0);
    if (caps < 0)
        printf("CDROM_GET_CAPABILITY: %s\n", errno_name(errno));
    else
        printf("CDROM_GET_CAPABILITY: ok %#x\n", caps);
    report("CDROM_DRIVE_STATUS", ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT));
    report("CDROM_DISC_STATUS", ioctl(fd, CDROM_DISC_STATUS, 0));

    struct cdrom_tochdr hdr;
    memset(&hdr, 0, sizeof hdr);
    if (report("CDROMREADTOCHDR", ioctl(fd, CDROMREADTOCHDR, &hdr)) == 0)
        printf("tracks: %u %u\n", hdr.cdth_trk0, hdr.cdth_trk1);
    for (int i = 0; i < 3; i++) {
        static const char *names[] = { "entry_1_lba", "entry_1_msf", "entry_leadout_lba" };
        struct cdrom_tocentry e;
        memset(&e, 0, sizeof e);
        e.cdte_track = i == 2 ? CDROM_LEADOUT : 1;
        e.cdte_format = i == 1 ? CDROM_MSF : CDROM_LBA;
        if (ioctl(fd, CDROMREADTOCENTRY, &e) < 0)
            printf("%s: %s\n", names[i], errno_name(errno));
        else if (e.cdte_format == CDROM_MSF)
            printf("%s: ok ctrl %u adr %u msf %02u:%02u:%02u\n", names[i], e.cdte_ctrl,
                   e.cdte_adr, e.cdte_addr.msf.minute, e.cdte_addr.msf.second,
                   e.cdte_addr.msf.frame);
        else
            printf("%s: ok ctrl %u adr %u lba %d datamode %u\n", names[i], e.cdte_ctrl,
                   e.cdte_adr, e.cdte_addr.lba, e.cdte_datamode);
    }
    struct cdrom_tocentry bad;
    memset(&bad, 0, sizeof bad);
    bad.cdte_track = 1;
    bad.cdte_format = 7;
    report("entry_format_7", ioctl(fd, CDROMREADTOCENTRY, &bad));
    bad.cdte_format = CDROM_LBA;
    bad.cdte_track = 99;
    report("entry_track_99", ioctl(fd, CDROMREADTOCENTRY, &bad));

    struct cdrom_multisession ms;
    memset(&ms, 0, sizeof ms);
    ms.addr_format = CDROM_LBA;
    if (ioctl(fd, CDROMMULTISESSION, &ms) < 0)
        printf("CDROMMULTISESSION: %s\n", errno_name(errno));
    else
        printf("CDROMMULTISESSION: ok lba %d xa %u\n", ms.addr.lba, ms.xa_flag);

    struct cdrom_mcn mcn;
    memset(&mcn, 0, sizeof mcn);
    if (report("CDROM_GET_MCN", ioctl(fd, CDROM_GET_MCN, &mcn)) == 0)
        printf("mcn: %.13s\n", (const char *)mcn.medium_catalog_number);

    /* CDROMREADMODE1/2 at 00:02:16 (LBA 16): the first bytes of the sector's user data;
     * MODE2 reads 2336 bytes, the user data and (a Mode 1 sector) its EDC/ECC. */
    for (int mode = 1; mode <= 2; mode++) {
        union { struct cdrom_msf msf; unsigned char data[CD_FRAMESIZE_RAW0]; } rd;
        memset(&rd, 0, sizeof rd);
        rd.msf.cdmsf_min0 = 0;
        rd.msf.cdmsf_sec0 = 2;
        rd.msf.cdmsf_frame0 = 16;
        const char *name = mode == 1 ? "CDROMREADMODE1" : "CDROMREADMODE2";
        if (report(name, ioctl(fd, mode == 1 ? CDROMREADMODE1 : CDROMREADMODE2, &rd)) == 0)
            printf("%s_data: %02x %02x %02x %02x %02x\n", name, rd.data[0], rd.data[1],
                   rd.data[2], rd.data[3], rd.data[4]);
        memset(&rd, 0, sizeof rd);
        rd.msf.cdmsf_sec0 = 1; /* 00:01:00, before LBA 0 */
        report(mode == 1 ? "CDROMREADMODE1_before_0" : "CDROMREADMODE2_before_0",
               ioctl(fd, mode == 1 ? CDROMREADMODE1 : CDROMREADMODE2, &rd));
    }

    /* CDROM_SEND_PACKET: INQUIRY in, TEST UNIT READY without data, and a bad direction. */
    unsigned char data[96];
    struct request_sense rs;
    struct cdrom_generic_command cgc;
    memset(&cgc, 0, sizeof cgc);
    memset(data, 0xFF, sizeof data);
    cgc.cmd[0] = 0x12;
    cgc.cmd[4] = sizeof data;
    cgc.buffer = data;
    cgc.buflen = sizeof data;
    cgc.sense = &rs;
    cgc.data_direction = CGC_DATA_READ;
    if (report("SEND_PACKET_inquiry", ioctl(fd, CDROM_SEND_PACKET, &cgc)) == 0)
        printf("SEND_PACKET_inquiry_data: first %02x stat %d buflen %u\n", data[0], cgc.stat,
               cgc.buflen);
    memset(&cgc, 0, sizeof cgc);
    cgc.data_direction = CGC_DATA_NONE;
    report("SEND_PACKET_tur", ioctl(fd, CDROM_SEND_PACKET, &cgc));
    memset(&cgc, 0, sizeof cgc);
    cgc.data_direction = 9;
    report("SEND_PACKET_direction_9", ioctl(fd, CDROM_SEND_PACKET, &cgc));
    /* A command the drive refuses (an unknown operation code): EIO, its sense given. */
    memset(&cgc, 0, sizeof cgc);
    memset(&rs, 0, sizeof rs);
    cgc.cmd[0] = 0xFF;
    cgc.sense = &rs;
    cgc.data_direction = CGC_DATA_NONE;
    if (report("SEND_PACKET_refused", ioctl(fd, CDROM_SEND_PACKET, &cgc)) < 0)
        printf("SEND_PACKET_refused_sense: %x/%02x\n", rs.sense_key, rs.asc);

    report("CDROM_LOCKDOOR_1", ioctl(fd, CDROM_LOCKDOOR, 1));
    report("CDROM_LOCKDOOR_0", ioctl(fd, CDROM_LOCKDOOR, 0));
    report("CDROMEJECT", ioctl(fd, CDROMEJECT, 0));
    report("CDROM_DRIVE_STATUS_ejected", ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT));
    report("CDROMCLOSETRAY", ioctl(fd, CDROMCLOSETRAY, 0));
    report("CDROM_DRIVE_STATUS_closed", ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT));
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int fd = open(argv[1], O_RDWR | O_NONBLOCK);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    sg_io_hdr_t h;
    unsigned char buf[96];

    /* Non-data commands with the directions programs leave in a zeroed header. */
    header(&h, TUR, 6, 0, NULL, 0);
    run(fd, "direction_0_len_0", &h, NULL);
    header(&h, TUR, 6, SG_DXFER_UNKNOWN, NULL, 0);
    run(fd, "direction_unknown_len_0", &h, NULL);
    header(&h, TUR, 6, SG_DXFER_NONE, NULL, 0);
    run(fd, "direction_none_len_0", &h, NULL);
    header(&h, TUR, 6, 7, NULL, 0);
    run(fd, "direction_7_len_0", &h, NULL);

    /* Data with a direction that is no data direction. */
    memset(buf, 0xFF, sizeof buf);
    header(&h, INQUIRY, 6, SG_DXFER_UNKNOWN, buf, sizeof buf);
    run(fd, "direction_unknown_len_96", &h, buf);
    memset(buf, 0xFF, sizeof buf);
    header(&h, INQUIRY, 6, 7, buf, sizeof buf);
    run(fd, "direction_7_len_96", &h, buf);
    memset(buf, 0xFF, sizeof buf);
    header(&h, INQUIRY, 6, SG_DXFER_NONE, buf, sizeof buf);
    run(fd, "direction_none_len_96", &h, buf);
    memset(buf, 0xFF, sizeof buf);
    header(&h, INQUIRY, 6, 0, buf, sizeof buf);
    run(fd, "direction_0_len_96", &h, buf);

    /* The header itself. */
    header(&h, TUR, 6, SG_DXFER_NONE, NULL, 0);
    h.interface_id = 'Q';
    run(fd, "interface_id_Q", &h, NULL);
    header(&h, TUR, 6, SG_DXFER_NONE, NULL, 0);
    h.interface_id = 0;
    run(fd, "interface_id_0", &h, NULL);
    header(&h, NULL, 6, SG_DXFER_NONE, NULL, 0);
    run(fd, "cdb_null", &h, NULL);
    header(&h, TUR, 5, SG_DXFER_NONE, NULL, 0);
    run(fd, "cdb_5_bytes", &h, NULL);
    header(&h, TUR, 0, SG_DXFER_NONE, NULL, 0);
    run(fd, "cdb_0_bytes", &h, NULL);

    /* Lengths: past the host's transfer limit with no data phase, no buffer, and a buffer
     * that ends before the length does (its next page is not mapped). */
    header(&h, TUR, 6, SG_DXFER_NONE, NULL, 32u << 20);
    run(fd, "none_len_32m", &h, NULL);
    header(&h, INQUIRY, 6, SG_DXFER_FROM_DEV, NULL, 96);
    run(fd, "from_dev_no_buffer", &h, NULL);
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *pages = mmap(NULL, (size_t)page * 3, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED)
        return 1;
    memset(pages, 0xFF, (size_t)page * 3);
    mprotect(pages + page * 2, (size_t)page, PROT_NONE);
    header(&h, INQUIRY, 6, SG_DXFER_FROM_DEV, pages, 8192 + (unsigned)page);
    run(fd, "from_dev_past_buffer", &h, pages);
    header(&h, MODE_SELECT, 10, SG_DXFER_TO_DEV, pages, 8192 + (unsigned)page);
    run(fd, "to_dev_past_buffer", &h, NULL);
    /* A read-only buffer cannot take data in. */
    mprotect(pages, (size_t)page, PROT_READ);
    header(&h, INQUIRY, 6, SG_DXFER_FROM_DEV, pages, 96);
    run(fd, "from_dev_read_only_buffer", &h, NULL);

    /* CDBs padded with zeros to 12 bytes, as ATAPI transports and CDROM_SEND_PACKET send
     * them: the drive takes the command's length from its operation code. */
    static const unsigned char INQUIRY_12[12] = { 0x12, 0, 0, 0, 96, 0 };
    static const unsigned char MODE_SENSE_2A_12[12] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 96, 0 };
    memset(buf, 0xFF, sizeof buf);
    header(&h, INQUIRY_12, 12, SG_DXFER_FROM_DEV, buf, sizeof buf);
    run(fd, "inquiry_padded_12", &h, buf);
    memset(buf, 0xFF, sizeof buf);
    header(&h, MODE_SENSE_2A_12, 12, SG_DXFER_FROM_DEV, buf, 96);
    run(fd, "mode_sense_padded_12", &h, buf);
    if (h.status == 0)
        printf("mode_sense_padded_12_page: %02x\n", buf[8] & 0x3F);

    /* The drive still serves. */
    memset(buf, 0xFF, sizeof buf);
    header(&h, INQUIRY, 6, SG_DXFER_FROM_DEV, buf, sizeof buf);
    run(fd, "inquiry_after", &h, buf);
    printf("vendor: %.8s\n", buf + 8);

    /* READ CAPACITY, to compare the block device ioctls with. */
    static const unsigned char READ_CAPACITY[10] = { 0x25 };
    unsigned char cap[8] = { 0 };
    header(&h, READ_CAPACITY, 10, SG_DXFER_FROM_DEV, cap, sizeof cap);
    if (ioctl(fd, SG_IO, &h) == 0 && h.status == 0)
        printf("READ CAPACITY: last %u block %u\n",
               (unsigned)cap[0] << 24 | (unsigned)cap[1] << 16 | (unsigned)cap[2] << 8 | cap[3],
               (unsigned)cap[4] << 24 | (unsigned)cap[5] << 16 | (unsigned)cap[6] << 8 | cap[7]);

    /* The block device ioctls (the sr driver's answers on the block node only). */
    static const struct { const char *name; unsigned long request; size_t size; } blk[] = {
        { "BLKGETSIZE", BLKGETSIZE, sizeof(unsigned long) },
        { "BLKGETSIZE64", BLKGETSIZE64, sizeof(uint64_t) },
        { "BLKSSZGET", BLKSSZGET, sizeof(int) },
        { "BLKROGET", BLKROGET, sizeof(int) },
        { "BLKBSZGET", BLKBSZGET, sizeof(int) },
    };
    for (size_t i = 0; i < sizeof blk / sizeof *blk; i++) {
        union { unsigned long ul; uint64_t u64; int i; } v;
        memset(&v, 0, sizeof v);
        if (ioctl(fd, blk[i].request, &v) < 0)
            printf("%s: %s\n", blk[i].name, errno_name(errno));
        else if (blk[i].size == sizeof(int))
            printf("%s: ok %d\n", blk[i].name, v.i);
        else
            printf("%s: ok %llu\n", blk[i].name,
                   (unsigned long long)(blk[i].size == sizeof v.u64 ? v.u64 : v.ul));
    }
    /* The lead-out's start from READ TOC (LBA), to compare CDROMREADTOCENTRY with. */
    static const unsigned char READ_TOC_LEADOUT[10] = { 0x43, 0, 0, 0, 0, 0, 0xAA, 0, 12, 0 };
    unsigned char toc[12] = { 0 };
    header(&h, READ_TOC_LEADOUT, 10, SG_DXFER_FROM_DEV, toc, sizeof toc);
    if (ioctl(fd, SG_IO, &h) == 0 && h.status == 0)
        printf("READ TOC leadout: %u\n", (unsigned)toc[8] << 24 | (unsigned)toc[9] << 16 |
                                               (unsigned)toc[10] << 8 | toc[11]);
    off_t end = lseek(fd, 0, SEEK_END);
    if (end >= 0)
        printf("SEEK_END: ok %lld\n", (long long)end);
    else
        printf("SEEK_END: %s\n", errno_name(errno));
    /* Last: they open and close the tray. */
    cdrom_ioctls(fd);
    close(fd);
    return 0;
}
