/*
 * A second program contending for a drive, for the exclusive-access tests of the SG_IO
 * transport (run under `virtdrive run`, so /dev/sr9 and /dev/sg9 are the emulator's nodes).
 *
 *   holder try  NODE...   opens (and locks) each NODE in turn, prints one line per NODE,
 *                         exits 0 when every one was taken, 1 otherwise
 *   holder hold NODE...   the same, then prints "held" (or "failed") and keeps what it took
 *                         until its standard input reaches end of file
 *
 * NODE is PATH, or FLAGS:PATH with FLAGS made of
 *   x   open with O_EXCL (open is always O_RDWR | O_NONBLOCK, as burning programs open)
 *   l   take a whole-file write lock with fcntl(F_SETLK), as libburn and cdrskin do
 *
 * Each line is "PATH: ok" or "PATH: open: ERRNO" / "PATH: lock: ERRNO" (EBUSY, EAGAIN...).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *errno_name(int e)
{
    switch (e) {
    case EBUSY: return "EBUSY";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENXIO: return "ENXIO";
    case ENODEV: return "ENODEV";
    default: return strerror(e);
    }
}

/* Takes one node; 0 on success. The descriptor is left open on purpose. */
static int take(const char *arg)
{
    const char *path = arg;
    int excl = 0, lock = 0;
    const char *colon = strchr(arg, ':');
    if (colon && arg[0] != '/') {
        for (const char *f = arg; f < colon; f++) {
            excl |= *f == 'x';
            lock |= *f == 'l';
        }
        path = colon + 1;
    }
    int fd = open(path, O_RDWR | O_NONBLOCK | (excl ? O_EXCL : 0));
    if (fd < 0) {
        printf("%s: open: %s\n", path, errno_name(errno));
        return 1;
    }
    if (lock) {
        struct flock fl;
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_SETLK, &fl) < 0) {
            printf("%s: lock: %s\n", path, errno_name(errno));
            return 1;
        }
    }
    printf("%s: ok\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "try") != 0 && strcmp(argv[1], "hold") != 0)) {
        fprintf(stderr, "usage: %s try|hold [x|l|xl:]PATH...\n", argv[0]);
        return 2;
    }
    int failed = 0;
    for (int i = 2; i < argc; i++)
        failed |= take(argv[i]);
    if (strcmp(argv[1], "hold") == 0) {
        printf("%s\n", failed ? "failed" : "held");
        fflush(stdout);
        char buf[64];
        while (read(0, buf, sizeof buf) > 0)
            ;
    }
    fflush(stdout);
    return failed;
}
