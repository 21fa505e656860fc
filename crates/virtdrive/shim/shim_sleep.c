/*
 * The program's own waits, shortened under the accelerated clock (VIRTDRIVE_SHIM_SLEEP_DIVISOR).
 *
 * A burning program sleeps while it waits for its drive: libburn sleeps half a second before
 * its first TEST UNIT READY after START STOP UNIT, SYNCHRONIZE CACHE and CLOSE TRACK/SESSION
 * (spc_wait_unit_attention) and polls its input FIFO every 50 ms; growisofs waits in
 * poll(NULL, 0, 1000); wodim counts down in seconds. Against a real drive those waits are drive time. Against `virtdrive run`'s
 * accelerated clock the drive's time moves with the commands the program sends (each "busy"
 * answer moves it on; see serve/drive.rs), never with the wall clock, so a program that sleeps
 * a tenth as long sees the same drive after every wait and sends the same commands: only the
 * wall time changes. With a divisor N above 1, each relative sleep() / usleep() / nanosleep()
 * / clock_nanosleep() of at least 1 ms, and each poll() or select() that watches no
 * descriptor (the old ways to sleep), sleeps 1/N of its length, but never less than 1 ms
 * (shorter ones, and sleeps until an absolute time, are left alone, so no loop turns into a
 * busy spin). The clocks a program reads are never changed: its timeouts count real time.
 * An interrupted sleep reports the time it had left at the program's scale. What is not
 * drive time is shortened too: a program that retries a drive another program holds (in
 * sleeps) gives up sooner.
 */
#include "shim.h"

#include <poll.h>
#include <sys/select.h>
#include <unistd.h>

DEFINE_REAL(nanosleep)
DEFINE_REAL(clock_nanosleep)
DEFINE_REAL(poll)
DEFINE_REAL(select)

#define NS_PER_SEC 1000000000LL
#define MIN_SCALED_NS 1000000LL /* 1 ms */

static long long to_ns(const struct timespec *t)
{
    return (long long)t->tv_sec * NS_PER_SEC + t->tv_nsec;
}

static struct timespec from_ns(long long ns)
{
    struct timespec t = { .tv_sec = (time_t)(ns / NS_PER_SEC), .tv_nsec = (long)(ns % NS_PER_SEC) };
    return t;
}

/* The divisor in force: 1 (leave sleeps alone) unless the shim serves a drive. */
static unsigned divisor(void)
{
    const struct vd_config *cfg = vd_config();
    return cfg->enabled ? cfg->sleep_divisor : 1;
}

/* How long a requested sleep of `ns` lasts under divisor d. */
static long long scaled(long long ns, unsigned d)
{
    if (d <= 1 || ns < MIN_SCALED_NS)
        return ns;
    long long s = ns / d;
    return s < MIN_SCALED_NS ? MIN_SCALED_NS : s;
}

/* The program's view of what an interrupted sleep had left: the slept remainder scaled back,
 * never more than it asked for. */
static long long unscaled(long long left, long long asked, long long slept_for)
{
    if (slept_for == asked || slept_for <= 0)
        return left;
    long long back = left * (asked / slept_for);
    return back > asked ? asked : back;
}

/* A valid relative request sleeps scaled; anything else (a bad timespec, NULL) goes to libc
 * as it is, which fails it as it always does. */
static int valid(const struct timespec *t)
{
    return t && t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < NS_PER_SEC;
}

VD_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    unsigned d = divisor();
    if (d <= 1 || !valid(req))
        return CALL_REAL(nanosleep, req, rem);
    long long asked = to_ns(req), now = scaled(asked, d);
    if (now != asked)
        vd_trace("sleep %lld ns for %lld ns", now, asked);
    struct timespec want = from_ns(now), left = { 0, 0 };
    int r = CALL_REAL(nanosleep, &want, &left);
    if (r != 0 && errno == EINTR && rem)
        *rem = from_ns(unscaled(to_ns(&left), asked, now));
    return r;
}

VD_EXPORT int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
                              struct timespec *rem)
{
    unsigned d = divisor();
    if (!real_clock_nanosleep())
        return ENOSYS;
    if (d <= 1 || (flags & TIMER_ABSTIME) || !valid(req))
        return real_clock_nanosleep()(clock, flags, req, rem);
    long long asked = to_ns(req), now = scaled(asked, d);
    if (now != asked)
        vd_trace("sleep %lld ns for %lld ns", now, asked);
    struct timespec want = from_ns(now), left = { 0, 0 };
    int r = real_clock_nanosleep()(clock, flags, &want, &left);
    if (r == EINTR && rem)
        *rem = from_ns(unscaled(to_ns(&left), asked, now));
    return r;
}

VD_EXPORT int usleep(useconds_t usec)
{
    struct timespec req = from_ns((long long)usec * 1000);
    /* usleep is nanosleep without a remainder (glibc's own definition). */
    return nanosleep(&req, NULL);
}

VD_EXPORT unsigned int sleep(unsigned int seconds)
{
    struct timespec req = { .tv_sec = (time_t)seconds, .tv_nsec = 0 }, rem = { 0, 0 };
    if (nanosleep(&req, &rem) == 0)
        return 0;
    /* Interrupted: the seconds left, to the nearest one, as glibc's sleep says them. */
    return (unsigned int)rem.tv_sec + (rem.tv_nsec >= NS_PER_SEC / 2);
}

/* poll() on no descriptors is a sleep of `timeout` ms (growisofs waits so). */
VD_EXPORT int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    unsigned d = divisor();
    if (!real_poll()) {
        errno = ENOSYS;
        return -1;
    }
    if (d <= 1 || nfds != 0 || timeout <= 0)
        return real_poll()(fds, nfds, timeout);
    long long now = scaled((long long)timeout * 1000000, d);
    if (now != (long long)timeout * 1000000)
        vd_trace("sleep %lld ns for %lld ns", now, (long long)timeout * 1000000);
    return real_poll()(fds, nfds, (int)(now / 1000000));
}

/* select() on no descriptors is a sleep of *timeout (Linux writes back what is left). */
VD_EXPORT int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                     struct timeval *timeout)
{
    unsigned d = divisor();
    if (!real_select()) {
        errno = ENOSYS;
        return -1;
    }
    if (d <= 1 || nfds != 0 || !timeout || timeout->tv_sec < 0 || timeout->tv_usec < 0
        || timeout->tv_usec >= 1000000)
        return real_select()(nfds, readfds, writefds, exceptfds, timeout);
    long long asked = (long long)timeout->tv_sec * NS_PER_SEC + (long long)timeout->tv_usec * 1000;
    long long now = scaled(asked, d);
    if (now != asked)
        vd_trace("sleep %lld ns for %lld ns", now, asked);
    struct timeval want = { .tv_sec = (time_t)(now / NS_PER_SEC),
                            .tv_usec = (suseconds_t)(now % NS_PER_SEC / 1000) };
    int r = real_select()(nfds, readfds, writefds, exceptfds, &want);
    long long left = r < 0 && errno == EINTR
        ? unscaled((long long)want.tv_sec * NS_PER_SEC + (long long)want.tv_usec * 1000, asked, now)
        : 0;
    timeout->tv_sec = (time_t)(left / NS_PER_SEC);
    timeout->tv_usec = (suseconds_t)(left % NS_PER_SEC / 1000);
    return r;
}
