// Host-side: empties the TCP metrics cache of a network namespace, for the
// network namespace pool's recycle. The cache (tcp_metrics(7) genetlink
// family, `ip tcp_metrics`) keeps the round-trip times of closed connections
// by peer, and no /proc file shows it, so the pool's check cannot compare it.
// Runs on an ordinary thread of the host (libc allowed), never in a spawn
// child.
#define _GNU_SOURCE
#include "cn_host.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcp_metrics.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// A generic netlink request: headers and at most one string attribute.
struct cn_genl_request {
    struct nlmsghdr header;
    struct genlmsghdr genl;
    char attributes[64];
};

static void cn_genl_start(struct cn_genl_request *request, unsigned short family, unsigned short flags,
                          unsigned char command, unsigned char version) {
    memset(request, 0, sizeof *request);
    request->header.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
    request->header.nlmsg_type = family;
    request->header.nlmsg_flags = NLM_F_REQUEST | flags;
    request->genl.cmd = command;
    request->genl.version = version;
}

// Sends `request` and reads one answer into `answer`: its length, 0 for an
// acknowledgement, or a negated errno (an NLMSG_ERROR answer's own too).
static long cn_genl_exchange(int sock, struct cn_genl_request *request, char *answer, size_t capacity) {
    if (send(sock, request, request->header.nlmsg_len, 0) < 0) return -errno;
    ssize_t length;
    do length = recv(sock, answer, capacity, 0); while (length < 0 && errno == EINTR);
    if (length < 0) return -errno;
    const struct nlmsghdr *header = (const struct nlmsghdr *)answer;
    if (!NLMSG_OK(header, (size_t)length)) return -EBADMSG;
    if (header->nlmsg_type == NLMSG_ERROR) return ((const struct nlmsgerr *)NLMSG_DATA(header))->error;
    return length;
}

// The family id of tcp_metrics (CTRL_CMD_GETFAMILY), or a negated errno.
// Asked once: generic netlink ids are the host's, fixed once registered.
static int cn_tcp_metrics_family(int sock) {
    static _Atomic int known;
    int id = atomic_load_explicit(&known, memory_order_relaxed);
    if (id > 0) return id;
    struct cn_genl_request request;
    cn_genl_start(&request, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
    struct nlattr *name = (struct nlattr *)request.attributes;
    name->nla_type = CTRL_ATTR_FAMILY_NAME;
    name->nla_len = NLA_HDRLEN + sizeof TCP_METRICS_GENL_NAME;
    memcpy((char *)name + NLA_HDRLEN, TCP_METRICS_GENL_NAME, sizeof TCP_METRICS_GENL_NAME);
    request.header.nlmsg_len += NLA_ALIGN(name->nla_len);
    char answer[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
    long length = cn_genl_exchange(sock, &request, answer, sizeof answer);
    if (length <= 0) return length < 0 ? (int)length : -EBADMSG;
    const struct nlmsghdr *header = (const struct nlmsghdr *)answer;
    const char *cursor = (const char *)NLMSG_DATA(header) + GENL_HDRLEN;
    const char *end = (const char *)header + header->nlmsg_len;
    while (cursor + NLA_HDRLEN <= end) {
        const struct nlattr *attribute = (const struct nlattr *)cursor;
        if (attribute->nla_len < NLA_HDRLEN || cursor + attribute->nla_len > end) break;
        if ((attribute->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID && attribute->nla_len >= NLA_HDRLEN + 2) {
            unsigned short family;
            memcpy(&family, cursor + NLA_HDRLEN, sizeof family);
            atomic_store_explicit(&known, family, memory_order_relaxed);
            return family;
        }
        cursor += NLA_ALIGN(attribute->nla_len);
    }
    return -ENOENT;
}

long cn_netns_flush_tcp_metrics(int netns, int home) {
    if (setns(netns, CLONE_NEWNET) != 0) return -errno;
    // Opened after setns: a socket of the entered namespace.
    int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    long result = sock < 0 ? -errno : cn_tcp_metrics_family(sock);
    if (result >= 0) {
        // TCP_METRICS_CMD_DEL without an address: every entry.
        struct cn_genl_request request;
        cn_genl_start(&request, (unsigned short)result, NLM_F_ACK, TCP_METRICS_CMD_DEL, TCP_METRICS_GENL_VERSION);
        char answer[256] __attribute__((aligned(NLMSG_ALIGNTO)));
        result = cn_genl_exchange(sock, &request, answer, sizeof answer);
        if (result > 0) result = -EBADMSG;
    }
    if (sock >= 0) close(sock);
    if (setns(home, CLONE_NEWNET) != 0) return CN_NETNS_STRANDED;
    return result;
}
