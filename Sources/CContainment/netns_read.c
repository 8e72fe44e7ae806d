// Host-side: reads a network namespace from inside on the calling thread, for
// the network namespace pool's recycle check. Runs on an ordinary thread of
// the host (libc allowed), never in a spawn child.
#define _GNU_SOURCE
#include "cn_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

struct cn_out {
    char *buffer;
    size_t capacity;
    size_t used;
    int full;
};

static void cn_out_append(struct cn_out *out, const char *bytes, size_t size) {
    if (out->full || out->capacity - out->used < size) {
        out->full = 1;
        return;
    }
    memcpy(out->buffer + out->used, bytes, size);
    out->used += size;
}

// Reads the open file `fd` to its end into `out` in small chunks (a sysctl
// read allocates and zeroes a kernel buffer of the requested size); a read
// error appends "!ERRNO". A sysctl hands out its whole value at once, so a
// short read of one (`sysctl`) is its end.
static void cn_read_rest(struct cn_out *out, int fd, int sysctl) {
    for (;;) {
        size_t room = out->capacity - out->used;
        if (out->full || room == 0) {
            out->full = 1;
            return;
        }
        size_t chunk = room < 1024 ? room : 1024;
        ssize_t n = read(fd, out->buffer + out->used, chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            char error[16];
            int length = snprintf(error, sizeof error, "!%d", errno);
            cn_out_append(out, error, (size_t)length);
            return;
        }
        out->used += (size_t)n;
        if (n == 0 || (sysctl && (size_t)n < chunk)) return;
    }
}

// One record per file under `path` (length `length` in a 512-byte buffer),
// `dir` an open descriptor of its parent directory, `name` its name there
// and `type` its d_type (DT_UNKNOWN: find out).
static void cn_read_path(struct cn_out *out, int dir, const char *name, unsigned char type, char *path,
                         size_t length, int depth) {
    int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (type == DT_DIR ? O_DIRECTORY : 0));
    if (fd >= 0 && type != DT_REG && depth < 8) {
        DIR *listing = fdopendir(fd);
        if (listing) {
            struct dirent *entry;
            while ((entry = readdir(listing))) {
                const char *child = entry->d_name;
                if (child[0] == '.' && (!child[1] || (child[1] == '.' && !child[2]))) continue;
                size_t add = strlen(child);
                if (length + 1 + add >= 511) continue;
                path[length] = '/';
                memcpy(path + length + 1, child, add + 1);
                cn_read_path(out, fd, child, entry->d_type, path, length + 1 + add, depth + 1);
                path[length] = 0;
            }
            closedir(listing);
            return;
        }
        if (errno != ENOTDIR) {
            int error = errno;
            close(fd);
            fd = -error;
        }
    } else if (fd < 0) {
        fd = -errno;
    }
    cn_out_append(out, "", 1);
    cn_out_append(out, path, length + 1);
    if (fd < 0) {
        char error[16];
        int size = snprintf(error, sizeof error, "!%d", -fd);
        cn_out_append(out, error, (size_t)size);
        return;
    }
    cn_read_rest(out, fd, strncmp(path, "/proc/sys/", 10) == 0);
    close(fd);
}

long cn_netns_read(int netns, int home, const char *directory, const char *const *names, char *buffer,
                   size_t capacity) {
    if (setns(netns, CLONE_NEWNET) != 0) return -errno;
    struct cn_out out = {buffer, capacity, 0, 0};
    char path[512];
    size_t length = strlen(directory);
    if (length < 256) {
        memcpy(path, directory, length + 1);
        if (!names) {
            cn_read_path(&out, AT_FDCWD, path, DT_DIR, path, length, 0);
        } else {
            // Opened after setns: the directory of this namespace.
            int dir = open(directory, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
            for (; dir >= 0 && *names && !out.full; names++) {
                size_t add = strlen(*names);
                if (length + 1 + add >= 511) continue;
                path[length] = '/';
                memcpy(path + length + 1, *names, add + 1);
                cn_read_path(&out, dir, *names, DT_UNKNOWN, path, length + 1 + add, 0);
                path[length] = 0;
            }
            if (dir >= 0) close(dir);
            else out.full = 2;
        }
    }
    int error = out.full == 2 ? errno : 0;
    if (setns(home, CLONE_NEWNET) != 0) return CN_NETNS_STRANDED;
    if (error) return -error;
    return out.full ? -ENOSPC : (long)out.used;
}
