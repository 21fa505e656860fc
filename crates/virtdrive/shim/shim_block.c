/*
 * virtdrive preload shim: the block node's data. read(), pread(), lseek() and stdio streams
 * (fopen) on /dev/srN are answered the way the sr driver answers them: READ (10) of whole
 * 2048-byte sectors through the server, the size from READ CAPACITY, end of file at the end of
 * the medium. growisofs reads the volume descriptors of the previous session with pread64, and
 * mkisofs reads its directory tree through a stdio stream on "/dev/fd/N".
 * write() and pwrite() are WRITE (10) of whole sectors, as the sr driver writes a random
 * writable disc (growisofs writes a DVD-RAM with pwrite64 on the block node); the last close
 * of an open that wrote sends SYNCHRONIZE CACHE, so that what the page cache held and the
 * drive's cache are recorded, as when the kernel releases the device. Writes that are not
 * whole sectors are EINVAL (the page cache's read-modify-write is not modelled).
 * See virtdrive_shim.c.
 */
#include "shim.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t __pread_chk(int fd, void *buf, size_t n, off_t offset, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t offset, size_t buflen);

DEFINE_REAL(pread)
DEFINE_REAL(pread64)
DEFINE_REAL(pwrite)
DEFINE_REAL(pwrite64)
DEFINE_REAL(lseek)
DEFINE_REAL(lseek64)
DEFINE_REAL(fopen)
DEFINE_REAL(fopen64)

#define SECTOR 2048u
/* Sectors per READ (10): 64 KiB, the sr driver's usual request size. */
#define CHUNK 32u
/* READ (10) and READ CAPACITY get the sg driver's default timeout, in milliseconds. */
#define TIMEOUT_MS 60000u

static int fail(int err)
{
    errno = err;
    return -1;
}

int vd_command(struct vd_conn *c, const uint8_t *cdb, uint8_t cdb_len, int direction, void *buf,
               uint32_t len, struct vd_completion *done, uint32_t *got)
{
    int err = vd_own_connection(c);
    if (err)
        return fail(err);
    sg_io_hdr_t h;
    memset(&h, 0, sizeof h);
    h.interface_id = 'S';
    h.dxfer_direction = direction == 1   ? SG_DXFER_FROM_DEV
                        : direction == 2 ? SG_DXFER_TO_DEV
                                         : SG_DXFER_NONE;
    h.cmd_len = cdb_len;
    h.cmdp = (unsigned char *)cdb;
    h.dxfer_len = direction == 0 ? 0 : len;
    h.dxferp = buf;
    h.timeout = TIMEOUT_MS;
    memset(done, 0, sizeof *done);
    err = vd_wire_execute(c, &h, direction, done);
    if (!err)
        err = done->err;
    if (err)
        return fail(err);
    if (done->status == 0x02)
        return 1;
    if (done->status != 0 || done->host_status != 0)
        return fail(EIO);
    *got = h.dxfer_len - (uint32_t)(done->resid > 0 ? done->resid : 0);
    return 0;
}

static int command_in(struct vd_conn *c, const uint8_t *cdb, uint8_t cdb_len, void *buf,
                      uint32_t len, struct vd_completion *done, uint32_t *got)
{
    return vd_command(c, cdb, cdb_len, 1, buf, len, done, got);
}

void vd_sense(const struct vd_completion *d, int *key, int *asc, int *ascq)
{
    *key = *asc = *ascq = -1;
    if (d->sense_len < 3)
        return;
    if ((d->sense[0] & 0x7E) == 0x72) {
        *key = d->sense[1] & 0x0F;
        *asc = d->sense[2];
        if (d->sense_len > 3)
            *ascq = d->sense[3];
    } else {
        *key = d->sense[2] & 0x0F;
        if (d->sense_len > 12)
            *asc = d->sense[12];
        if (d->sense_len > 13)
            *ascq = d->sense[13];
    }
}

/* The sense key and additional sense code of a CHECK CONDITION. */
static void sense_key_asc(const struct vd_completion *d, int *key, int *asc)
{
    int ascq;
    vd_sense(d, key, asc, &ascq);
}

/* Under the lock: the number of sectors on the medium (READ CAPACITY: last address + 1). */
static int64_t capacity_sectors(struct vd_conn *c)
{
    static const uint8_t cdb[10] = { 0x25 }; /* READ CAPACITY */
    uint8_t answer[8];
    struct vd_completion done;
    uint32_t got = 0;
    int r = command_in(c, cdb, sizeof cdb, answer, sizeof answer, &done, &got);
    if (r < 0)
        return -1;
    if (r > 0 || got < 4) {
        /* No medium, or one the drive cannot tell the size of: nothing to read. */
        int key, asc;
        sense_key_asc(&done, &key, &asc);
        if (r > 0 && key == 0x02)
            return fail(ENOMEDIUM);
        return 0;
    }
    uint32_t last = (uint32_t)answer[0] << 24 | (uint32_t)answer[1] << 16 |
                    (uint32_t)answer[2] << 8 | answer[3];
    /* The sr driver adds one in 32 bits (sr.c get_sectorsize): the FFFFFFFFh of a blank
     * disc is 0 sectors. */
    return (uint32_t)(last + 1);
}

int64_t vd_block_size(struct vd_conn *c)
{
    int64_t sectors = capacity_sectors(c);
    return sectors < 0 ? -1 : sectors * SECTOR;
}

/* Under the lock: sectors [lba, lba + count) into buf. The number read (fewer at the end of
 * the medium, 0 past it), or -1 with errno. */
static int read_sectors(struct vd_conn *c, uint32_t lba, uint32_t count, uint8_t *buf)
{
    uint8_t cdb[10] = { 0x28, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8),
                        (uint8_t)lba, 0, (uint8_t)(count >> 8), (uint8_t)count, 0 };
    struct vd_completion done;
    uint32_t got = 0;
    int r = command_in(c, cdb, sizeof cdb, buf, count * SECTOR, &done, &got);
    if (r < 0)
        return -1;
    if (r == 0)
        return (int)(got / SECTOR);
    int key, asc;
    sense_key_asc(&done, &key, &asc);
    /* 05/21/00 LOGICAL BLOCK ADDRESS OUT OF RANGE: the request runs past the end of the
     * medium. The block layer never asks for more than the capacity, so it is end of file;
     * the sectors before the end are read again up to it. */
    if (key == 0x05 && asc == 0x21) {
        int64_t end = capacity_sectors(c);
        if (end < 0)
            return -1;
        if ((int64_t)lba >= end)
            return 0;
        uint32_t before = (uint32_t)(end - lba);
        return before < count ? read_sectors(c, lba, before, buf) : fail(EIO);
    }
    if (key == 0x02)
        return fail(ENOMEDIUM);
    return fail(EIO);
}

ssize_t vd_block_pread(struct vd_conn *c, void *buf, size_t n, int64_t offset)
{
    static uint8_t bounce[CHUNK * SECTOR]; /* used under the lock only */
    if (offset < 0)
        return fail(EINVAL);
    if ((c->flags & O_ACCMODE) == O_WRONLY)
        return fail(EBADF);
    uint8_t *out = buf;
    size_t done = 0;
    while (done < n) {
        uint64_t at = (uint64_t)offset + done;
        if (at / SECTOR > UINT32_MAX)
            break;
        uint32_t lba = (uint32_t)(at / SECTOR), skip = (uint32_t)(at % SECTOR);
        size_t want = n - done;
        uint64_t sectors = (skip + (uint64_t)want + SECTOR - 1) / SECTOR;
        uint32_t count = sectors < CHUNK ? (uint32_t)sectors : CHUNK;
        int r = read_sectors(c, lba, count, bounce);
        if (r < 0)
            return done > 0 ? (ssize_t)done : -1;
        if (r == 0)
            break;
        size_t have = (size_t)r * SECTOR - skip, take = have < want ? have : want;
        memcpy(out + done, bounce + skip, take);
        done += take;
        if ((uint32_t)r < count)
            break;
    }
    return (ssize_t)done;
}

/* Under the lock: sectors [lba, lba + count) from buf with WRITE (10). 0, or -1 with errno:
 * ENOMEDIUM without a disc, EROFS on a write-protected one, ENOSPC past its end, EIO else. */
static int write_sectors(struct vd_conn *c, uint32_t lba, uint32_t count, const uint8_t *buf)
{
    uint8_t cdb[10] = { 0x2A, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8),
                        (uint8_t)lba, 0, (uint8_t)(count >> 8), (uint8_t)count, 0 };
    struct vd_completion done;
    uint32_t got = 0;
    int r = vd_command(c, cdb, sizeof cdb, 2, (void *)buf, count * SECTOR, &done, &got);
    if (r <= 0)
        return r;
    int key, asc;
    sense_key_asc(&done, &key, &asc);
    if (key == 0x02)
        return fail(ENOMEDIUM);
    if (key == 0x07)
        return fail(EROFS);
    if (key == 0x05 && asc == 0x21)
        return fail(ENOSPC);
    return fail(EIO);
}

/* Under the lock: n bytes of buf at offset, in WRITE (10)s of up to CHUNK sectors. The bytes
 * written (fewer when a later command failed), or -1 with errno. */
static ssize_t block_pwrite(struct vd_conn *c, const void *buf, size_t n, int64_t offset)
{
    if (offset < 0 || offset % SECTOR != 0 || n % SECTOR != 0)
        return fail(EINVAL);
    if ((c->flags & O_ACCMODE) == O_RDONLY)
        return fail(EBADF);
    const uint8_t *in = buf;
    size_t done = 0;
    while (done < n) {
        uint64_t lba = ((uint64_t)offset + done) / SECTOR;
        if (lba > UINT32_MAX)
            return done > 0 ? (ssize_t)done : fail(EFBIG);
        size_t left = (n - done) / SECTOR;
        uint32_t count = left < CHUNK ? (uint32_t)left : CHUNK;
        if (write_sectors(c, (uint32_t)lba, count, in + done) < 0)
            return done > 0 ? (ssize_t)done : -1;
        c->wrote = 1;
        done += (size_t)count * SECTOR;
    }
    return (ssize_t)done;
}

void vd_block_flush(struct vd_conn *c)
{
    static const uint8_t cdb[10] = { 0x35 }; /* SYNCHRONIZE CACHE (10) */
    struct vd_completion done;
    uint32_t got = 0;
    if (vd_command(c, cdb, sizeof cdb, 0, NULL, 0, &done, &got) != 0)
        vd_trace("SYNCHRONIZE CACHE at the last close failed");
    c->wrote = 0;
}

/* ---- pread and lseek --------------------------------------------------------------------- */

/* The block node's connection of `fd`, under the lock; NULL (lock released, errno set) for
 * the char node, whose data is not a byte stream. */
static struct vd_conn *block_conn(int fd)
{
    pthread_mutex_lock(&vd_lock);
    struct vd_conn *c = vd_conn_of(fd);
    if (c && c->node->kind == VD_BLOCK)
        return c;
    pthread_mutex_unlock(&vd_lock);
    errno = c ? ESPIPE : EBADF;
    return NULL;
}

/* One transfer of the block node's data at `offset`, or at the descriptor's offset (moving it
 * past what moved) when `at_position` is set: a read into buf, or a write of it. Takes the
 * lock. */
static ssize_t block_io(int fd, void *buf, size_t n, int64_t offset, int at_position, int writing)
{
    struct vd_conn *c = block_conn(fd);
    if (!c)
        return -1;
    int64_t at = at_position ? c->position : offset;
    ssize_t r = writing ? block_pwrite(c, buf, n, at) : vd_block_pread(c, buf, n, at);
    int saved = errno;
    if (r > 0 && at_position)
        c->position += r;
    pthread_mutex_unlock(&vd_lock);
    errno = saved;
    return r;
}

static ssize_t drive_pread(int fd, void *buf, size_t n, int64_t offset)
{
    return block_io(fd, buf, n, offset, 0, 0);
}

/* read() on the block node: at the descriptor's offset, which moves past what was read. */
ssize_t vd_block_read(int fd, void *buf, size_t n)
{
    return block_io(fd, buf, n, 0, 1, 0);
}

static ssize_t drive_pwrite(int fd, const void *buf, size_t n, int64_t offset)
{
    return block_io(fd, (void *)buf, n, offset, 0, 1);
}

ssize_t vd_block_write(int fd, const void *buf, size_t n)
{
    return block_io(fd, (void *)buf, n, 0, 1, 1);
}

static int64_t drive_lseek(int fd, int64_t offset, int whence)
{
    struct vd_conn *c = block_conn(fd);
    if (!c)
        return -1;
    int64_t base = 0;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = c->position; break;
    case SEEK_END: base = vd_block_size(c); break;
    default: base = -1; errno = EINVAL; break;
    }
    int64_t r = -1;
    if (base >= 0) {
        if (offset < 0 ? base < -offset : base > INT64_MAX - offset)
            errno = EINVAL;
        else
            r = c->position = base + offset;
    }
    int saved = errno;
    pthread_mutex_unlock(&vd_lock);
    errno = saved;
    return r;
}

VD_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t offset)
{
    if (vd_is_fake(fd))
        return drive_pread(fd, buf, n, offset);
    return CALL_REAL(pread, fd, buf, n, offset);
}

VD_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off64_t offset)
{
    if (vd_is_fake(fd))
        return drive_pread(fd, buf, n, offset);
    return CALL_REAL(pread64, fd, buf, n, offset);
}

VD_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t offset, size_t buflen)
{
    if (n > buflen)
        abort(); /* what glibc's __pread_chk does on an overflow */
    return pread(fd, buf, n, offset);
}

VD_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t offset, size_t buflen)
{
    if (n > buflen)
        abort();
    return pread64(fd, buf, n, offset);
}

VD_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset)
{
    if (vd_is_fake(fd))
        return drive_pwrite(fd, buf, n, offset);
    return CALL_REAL(pwrite, fd, buf, n, offset);
}

VD_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t offset)
{
    if (vd_is_fake(fd))
        return drive_pwrite(fd, buf, n, offset);
    return CALL_REAL(pwrite64, fd, buf, n, offset);
}

VD_EXPORT off_t lseek(int fd, off_t offset, int whence)
{
    if (vd_is_fake(fd))
        return drive_lseek(fd, offset, whence);
    return CALL_REAL(lseek, fd, offset, whence);
}

VD_EXPORT off64_t lseek64(int fd, off64_t offset, int whence)
{
    if (vd_is_fake(fd))
        return drive_lseek(fd, offset, whence);
    return CALL_REAL(lseek64, fd, offset, whence);
}

/* ---- stdio streams ----------------------------------------------------------------------- */

/* glibc's fopen opens with its internal open, which no preload can interpose: a stream on a
 * drive node is made here instead, over a drive descriptor, with fopencookie. */

static ssize_t cookie_read(void *cookie, char *buf, size_t n)
{
    return read((int)(intptr_t)cookie, buf, n);
}

static int cookie_seek(void *cookie, off64_t *offset, int whence)
{
    off64_t r = lseek64((int)(intptr_t)cookie, *offset, whence);
    if (r < 0)
        return -1;
    *offset = r;
    return 0;
}

static int cookie_close(void *cookie)
{
    return close((int)(intptr_t)cookie);
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
    return write((int)(intptr_t)cookie, buf, n);
}

static FILE *open_stream(const struct vd_node *node, const char *mode)
{
    int flags = strchr(mode, '+') ? O_RDWR : mode[0] == 'r' ? O_RDONLY : O_WRONLY;
    if (strchr(mode, 'e'))
        flags |= O_CLOEXEC;
    int fd = open(node->path, flags);
    if (fd < 0)
        return NULL;
    cookie_io_functions_t io = { cookie_read, cookie_write, cookie_seek, cookie_close };
    FILE *f = fopencookie((void *)(intptr_t)fd, mode, io);
    /* A cookie stream has no descriptor, but mkisofs reads its old image with
     * lseek(fileno(f)) and read(fileno(f)): give it the drive descriptor (glibc's cookie
     * functions never use the field themselves). */
    if (f)
        f->_fileno = fd;
    else {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return f;
}

VD_EXPORT FILE *fopen(const char *path, const char *mode)
{
    const struct vd_node *node = vd_node_of_path(path);
    if (node && mode)
        return open_stream(node, mode);
    char mapped[PATH_MAX];
    path = vd_sysfs_map(path, mapped, sizeof mapped);
    return real_fopen() ? real_fopen()(path, mode) : (errno = ENOSYS, NULL);
}

VD_EXPORT FILE *fopen64(const char *path, const char *mode)
{
    const struct vd_node *node = vd_node_of_path(path);
    if (node && mode)
        return open_stream(node, mode);
    char mapped[PATH_MAX];
    path = vd_sysfs_map(path, mapped, sizeof mapped);
    return real_fopen64() ? real_fopen64()(path, mode) : (errno = ENOSYS, NULL);
}
