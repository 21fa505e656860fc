/*
 * Sleeps every way a program can, under `virtdrive run`, and prints one line per call with
 * what the call returned. The shim's trace (VIRTDRIVE_SHIM_TRACE) says which were shortened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    /* Unbuffered, so the lines and the shim's trace interleave in call order on stderr. */
    setvbuf(stdout, NULL, _IONBF, 0);
    fprintf(stderr, "probe: usleep 500 ms\n");
    printf("usleep: %d\n", usleep(500000));

    fprintf(stderr, "probe: nanosleep 300 ms\n");
    struct timespec t = { 0, 300000000 }, rem = { 7, 7 };
    printf("nanosleep: %d\n", nanosleep(&t, &rem));

    fprintf(stderr, "probe: clock_nanosleep 200 ms\n");
    t.tv_nsec = 200000000;
    printf("clock_nanosleep: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &t, NULL));

    fprintf(stderr, "probe: clock_nanosleep absolute\n");
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 20000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    printf("clock_nanosleep absolute: %d\n",
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));

    fprintf(stderr, "probe: sleep 1 s\n");
    printf("sleep: %u\n", sleep(1));

    fprintf(stderr, "probe: poll no descriptors 400 ms\n");
    printf("poll: %d\n", poll(NULL, 0, 400));

    fprintf(stderr, "probe: select no descriptors 250 ms\n");
    struct timeval tv = { 0, 250000 };
    int r = select(0, NULL, NULL, NULL, &tv);
    printf("select: %d left %ld.%06ld\n", r, (long)tv.tv_sec, (long)tv.tv_usec);

    fprintf(stderr, "probe: usleep 500 us\n");
    printf("usleep short: %d\n", usleep(500));

    fprintf(stderr, "probe: poll a pipe 30 ms\n");
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    printf("poll pipe: %d\n", poll(&p, 1, 30));

    fprintf(stderr, "probe: bad nanosleep\n");
    t.tv_nsec = 1000000000; /* invalid: libc (the kernel) refuses it */
    r = nanosleep(&t, NULL);
    printf("nanosleep bad: %d %s\n", r, r == -1 && errno == EINVAL ? "EINVAL" : "?");
    return 0;
}
