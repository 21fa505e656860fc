/*
 * virtdrive preload shim: the drive's sysfs entries. `virtdrive run` writes them under its
 * private folder (VIRTDRIVE_SYSFS; crates/virtdrive/src/run/sysfs.rs has the layout), and a
 * path under /sys that the real sysfs does not have is looked up there instead: open, the
 * stat family, access, opendir, readlink and realpath take the mapped path (the hooks call
 * vd_sysfs_map), and glob lists the real matches and the drive's together, as /sys paths.
 * glob is replaced whole because glibc's glob reads folders with its internal opendir, which
 * no preload reaches. See virtdrive_shim.c.
 */
#include "shim.h"

#include <dirent.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

DEFINE_REAL(lstat)
DEFINE_REAL(opendir)
DEFINE_REAL(readlink)
DEFINE_REAL(glob)
DEFINE_REAL(glob64)

#define SYS "/sys"
#define SYS_LEN 4

/* The folder the drive's entries are in, or NULL. */
static const char *sysfs_root(void)
{
    const struct vd_config *cfg = vd_config();
    return cfg->enabled && cfg->sysfs[0] ? cfg->sysfs : NULL;
}

static int is_sys_path(const char *path)
{
    return path && strncmp(path, SYS "/", SYS_LEN + 1) == 0;
}

const char *vd_sysfs_map(const char *path, char *buf, size_t n)
{
    const char *root = sysfs_root();
    if (!root || !is_sys_path(path))
        return path;
    struct stat st;
    /* What the real sysfs has stays the real one's. */
    if (CALL_REAL(lstat, path, &st) == 0)
        return path;
    int len = snprintf(buf, n, "%s%s", root, path + SYS_LEN);
    if (len < 0 || (size_t)len >= n)
        return path;
    return CALL_REAL(lstat, buf, &st) == 0 ? buf : path;
}

void vd_sysfs_unmap(char *path)
{
    const char *root = sysfs_root();
    if (!root || !path)
        return;
    size_t n = strlen(root);
    if (strncmp(path, root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
        return;
    memmove(path + SYS_LEN, path + n, strlen(path + n) + 1);
    memcpy(path, SYS, SYS_LEN);
}

VD_EXPORT DIR *opendir(const char *name)
{
    char mapped[PATH_MAX];
    name = vd_sysfs_map(name, mapped, sizeof mapped);
    return real_opendir() ? real_opendir()(name) : (errno = ENOSYS, NULL);
}

VD_EXPORT ssize_t readlink(const char *path, char *buf, size_t n)
{
    char mapped[PATH_MAX];
    path = vd_sysfs_map(path, mapped, sizeof mapped);
    return CALL_REAL(readlink, path, buf, n);
}

/* ---- glob ---------------------------------------------------------------------------------- */

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef int glob_fn(const char *, int, int (*)(const char *, int), glob_t *);

/* The real glob's matches of a /sys pattern, then the drive's entries that match it (as
 * /sys paths, each once). Flags that change how the result is laid out or where folders
 * are read from (GLOB_APPEND, GLOB_DOOFFS, GLOB_ALTDIRFUNC, GLOB_NOCHECK) get the real
 * glob only. */
static int merged_glob(glob_fn *real, const char *pattern, int flags,
                       int (*errfunc)(const char *, int), glob_t *g)
{
    if (!real) {
        errno = ENOSYS;
        return GLOB_ABORTED;
    }
    int r = real(pattern, flags, errfunc, g);
    const char *root = sysfs_root();
    if ((r != 0 && r != GLOB_NOMATCH) || !root || !is_sys_path(pattern) ||
        (flags & (GLOB_APPEND | GLOB_DOOFFS | GLOB_ALTDIRFUNC | GLOB_NOCHECK)))
        return r;
    char fake_pattern[PATH_MAX];
    int len = snprintf(fake_pattern, sizeof fake_pattern, "%s%s", root, pattern + SYS_LEN);
    if (len < 0 || (size_t)len >= sizeof fake_pattern)
        return r;
    glob_t fake;
    memset(&fake, 0, sizeof fake);
    if (real(fake_pattern, flags, NULL, &fake) != 0) {
        globfree(&fake);
        return r;
    }
    size_t have = r == 0 ? g->gl_pathc : 0;
    char **paths = malloc((have + fake.gl_pathc + 1) * sizeof *paths);
    if (!paths) {
        globfree(&fake);
        return r == 0 ? r : GLOB_NOSPACE;
    }
    for (size_t i = 0; i < have; i++)
        paths[i] = g->gl_pathv[i];
    size_t total = have;
    for (size_t i = 0; i < fake.gl_pathc; i++) {
        char *p = strdup(fake.gl_pathv[i]);
        if (!p)
            continue;
        vd_sysfs_unmap(p);
        int seen = 0;
        for (size_t k = 0; k < have && !seen; k++)
            seen = strcmp(paths[k], p) == 0;
        if (seen)
            free(p);
        else
            paths[total++] = p;
    }
    paths[total] = NULL;
    globfree(&fake);
    if (!(flags & GLOB_NOSORT))
        qsort(paths, total, sizeof *paths, compare_paths);
    if (r == 0)
        free(g->gl_pathv); /* its strings moved to `paths` */
    g->gl_pathv = paths;
    g->gl_pathc = total;
    g->gl_offs = 0;
    return total > 0 ? 0 : GLOB_NOMATCH;
}

VD_EXPORT int glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
                   glob_t *g)
{
    return merged_glob(real_glob(), pattern, flags, errfunc, g);
}

/* glob64_t has glob_t's layout on the 64-bit ABIs this shim supports (only the types of the
 * GLOB_ALTDIRFUNC callbacks differ, and those flags take the real glob64 alone). */
_Static_assert(sizeof(glob64_t) == sizeof(glob_t), "glob64_t is laid out as glob_t");

VD_EXPORT int glob64(const char *pattern, int flags, int (*errfunc)(const char *, int),
                     glob64_t *g)
{
    return merged_glob((glob_fn *)(void *)real_glob64(), pattern, flags, errfunc,
                       (glob_t *)(void *)g);
}
