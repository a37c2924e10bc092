/* fcgi.c — the only user of libfcgi: sockets, reading a request, writing a response. */
#include "fcgi.h"

#include <errno.h>
#include <fastcgi.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/crypto.h"

struct fcgi_conn {
    FCGX_Request req;
    bool head;       /* HEAD request: headers only */
    bool unix_local; /* the listening socket is a Unix socket (see fcgi_finish) */
    bool no_body;    /* the request said it has no body (CONTENT_LENGTH empty or 0) */
};

/* The socket's directory, when this process made it for its own use (owned by us,
 * not a shared sticky one like /tmp): 0750 with the group, so only nginx's group
 * may even find the socket. A directory shared with others is left alone; the
 * socket's own mode is what keeps them out. */
static int restrict_socket_dir(const char *path, gid_t gid)
{
    char dir[sizeof ((struct sockaddr_un *)0)->sun_path];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;
    *slash = '\0';
    struct stat st;
    if (stat(dir, &st) != 0) return -1;
    if (st.st_uid != geteuid() || (st.st_mode & S_ISVTX)) return 0;
    if (chown(dir, (uid_t)-1, gid) != 0) return -1;
    return chmod(dir, 0750);
}

/* The socket is 0660 with nginx's group: FastCGI has no authentication, so a
 * local user who could connect would pass for nginx (any REMOTE_ADDR, no
 * limit_req). umask makes bind create it that way, and listen comes only after
 * its group is set, so it is never open wider. */
static int listen_unix(const char *path, int backlog, gid_t gid)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path) return -1;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    unlink(path); /* a stale socket from a previous run */
    mode_t old_mask = umask(0117);
    int bound = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old_mask);
    if (bound != 0 || chown(path, (uid_t)-1, gid) != 0 || chmod(path, 0660) != 0 ||
        restrict_socket_dir(path, gid) != 0 || listen(fd, backlog) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int listen_tcp(const char *spec, int backlog)
{
    const char *colon = strrchr(spec, ':');
    char host[256];
    size_t hl = (size_t)(colon - spec);
    if (hl >= sizeof host) return -1;
    memcpy(host, spec, hl);
    host[hl] = '\0';
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *ai;
    if (getaddrinfo(hl ? host : NULL, colon + 1, &hints, &ai) != 0) return -1;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd >= 0 && (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, backlog) != 0)) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

int fcgi_listen(const char *spec, int backlog, gid_t gid)
{
    if (FCGX_Init() != 0) return -1;
    int fd = strncmp(spec, "unix:", 5) == 0 ? listen_unix(spec + 5, backlog, gid) : listen_tcp(spec, backlog);
    /* Non-blocking: workers wait for a connection with epoll and then accept it, and
     * when another worker took it first, accept must come back at once. (Accepted
     * sockets do not inherit the flag on Linux: requests are read blocking.) */
    if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

struct fcgi_conn *fcgi_conn_new(int listen_fd)
{
    struct fcgi_conn *c = calloc(1, sizeof *c);
    if (!c) abort();
    FCGX_Init();
    FCGX_InitRequest(&c->req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    c->unix_local = getsockname(listen_fd, (struct sockaddr *)&sa, &len) == 0 && sa.ss_family == AF_UNIX;
    return c;
}

int fcgi_accept(struct fcgi_conn *c)
{
    int rc = FCGX_Accept_r(&c->req);
    if (rc == 0) return 0;
    return rc == -EAGAIN || rc == -EWOULDBLOCK ? 1 : -1;
}

static str param(struct fcgi_conn *c, struct arena *a, const char *name)
{
    const char *v = FCGX_GetParam(name, c->req.envp);
    return v ? str_dup(a, str_from(v)) : STR("");
}

static str new_request_id(struct arena *a)
{
    uint8_t raw[16];
    crypto_random(raw, sizeof raw);
    struct buf b;
    buf_init(&b, a, 33);
    hex_encode(&b, raw, sizeof raw);
    return buf_str(&b);
}

/* The path part of REQUEST_URI, when nginx did not pass DOCUMENT_URI. */
static str path_from_uri(str uri)
{
    str path, query;
    str_cut(uri, '?', &path, &query);
    return path;
}

int fcgi_read_body(struct fcgi_conn *c, struct request *r, long limit)
{
    long n = r->content_length;
    if (n > limit) return 413;
    if (n == 0) {
        r->body = STR("");
        return 0;
    }
    char *p = arena_alloc(r->arena, (size_t)n + 1);
    long got = 0;
    while (got < n) {
        int k = FCGX_GetStr(p + got, (int)(n - got > 65536 ? 65536 : n - got), c->req.in);
        if (k <= 0) break;
        got += k;
    }
    if (got != n) return 400;
    p[n] = '\0';
    r->body = str_make(p, (size_t)n);
    return 0;
}

/* Every HTTP_* param, copied once into the arena: libfcgi frees its params at
 * FCGX_Finish_r, before the request's log line is written. */
static void read_headers(struct fcgi_conn *c, struct request *r)
{
    for (char **e = c->req.envp; e && *e; e++) {
        if (strncmp(*e, "HTTP_", 5) != 0) continue;
        str key, val;
        if (str_cut(str_dup(r->arena, str_from(*e + 5)), '=', &key, &val))
            kvlist_add(r->arena, &r->headers, key, val);
    }
}

int fcgi_read_request(struct fcgi_conn *c, struct request *r)
{
    struct arena *a = r->arena;
    r->method = param(c, a, "REQUEST_METHOD");
    r->path = param(c, a, "DOCUMENT_URI");
    if (!r->path.len) r->path = path_from_uri(param(c, a, "REQUEST_URI"));
    if (!r->path.len) r->path = STR("/");
    r->query_string = param(c, a, "QUERY_STRING");
    r->content_type = param(c, a, "CONTENT_TYPE");
    r->request_id = param(c, a, "REQUEST_ID");
    if (!r->request_id.len) r->request_id = new_request_id(a);
    r->remote_addr = param(c, a, "REMOTE_ADDR");
    read_headers(c, r);
    r->accept = req_header(r, "Accept");
    r->authorization = req_header(r, "Authorization");
    r->cookie_header = req_header(r, "Cookie");
    r->user_agent = req_header(r, "User-Agent");
    r->host = req_header(r, "Host");
    r->csrf_header = req_header(r, "X-CSRF-Token");
    str https = param(c, a, "HTTPS");
    r->scheme = str_eq(https, STR("on")) || str_eq(param(c, a, "REQUEST_SCHEME"), STR("https")) ? STR("https")
                                                                                               : STR("http");
    c->head = str_eq(r->method, STR("HEAD"));
    str cl = param(c, a, "CONTENT_LENGTH");
    long n = 0;
    if (cl.len && (!str_to_long(cl, &n) || n < 0)) return 400;
    r->content_length = n;
    c->no_body = n == 0;
    return 0;
}

/* Status line and headers, built in one buffer (libfcgi's own printf knows no %zu). */
static void build_head(struct buf *h, const struct response *res, bool with_length)
{
    buf_printf(h, "Status: %d %s\r\n", res->status, http_status_text(res->status));
    for (size_t i = 0; i < res->headers.n; i++) {
        const struct kv *kv = &res->headers.items[i];
        buf_put(h, kv->key);
        buf_puts(h, ": ");
        buf_put(h, kv->val);
        buf_puts(h, "\r\n");
    }
    if (with_length) buf_printf(h, "Content-Length: %zu\r\n", res->body.len);
    buf_puts(h, "\r\n");
}

/* The head of a streamed response (no Content-Length), through libfcgi's stream. */
static void send_head(struct fcgi_conn *c, struct response *res, struct arena *a)
{
    struct buf h;
    buf_init(&h, a, 512);
    build_head(&h, res, false);
    FCGX_PutStr(h.data, (int)h.len, c->req.out);
}

/* Writes all of iov[0..n) to fd, resuming after partial writes. */
static int writev_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

#define STDOUT_RECORD_MAX 65528 /* a record's content is at most 65535 bytes */

#define RECORDS_PER_WRITE 16      /* 1 MB per writev at most */

/* A record's header: its type, this request's id, and its content's length. */
static void record_header(unsigned char x[8], const struct fcgi_conn *c, int type, size_t len)
{
    x[0] = FCGI_VERSION_1;
    x[1] = (unsigned char)type;
    x[2] = (unsigned char)(c->req.requestId >> 8);
    x[3] = (unsigned char)c->req.requestId;
    x[4] = (unsigned char)(len >> 8);
    x[5] = (unsigned char)len;
    x[6] = x[7] = 0;
}

/* Writes two parts (either may be empty) as FastCGI STDOUT records of up to 64 KB,
 * 16 records per writev: libfcgi's 8 KB stream buffer would make a write, and a
 * wake-up of nginx, per 8 KB. Whatever libfcgi holds is flushed first, so the order
 * is kept. With last, the response ends there: the last writev also carries the
 * closing records FCGX_Finish_r would have written on their own (an empty STDOUT and
 * END_REQUEST; libfcgi writes nothing for a STDERR never written to), and libfcgi's
 * stream is marked closed so that it does not write them again. That is one write,
 * and one wake-up of nginx, fewer per response. Else FCGX_Finish_r's records follow. */
static int write_stdout(struct fcgi_conn *c, const char *p1, size_t n1, const char *p2, size_t n2, bool last)
{
    if (FCGX_FFlush(c->req.out) != 0) return -1;
    const char *at[2] = { p1, p2 };
    size_t left[2] = { n1, n2 };
    int part = 0;
    unsigned char hdr[RECORDS_PER_WRITE][8];
    unsigned char closing[8 + 8 + sizeof(FCGI_EndRequestBody)];
    struct iovec iov[RECORDS_PER_WRITE * 3 + 1];
    do {
        int n = 0;
        for (int r = 0; r < RECORDS_PER_WRITE && left[0] + left[1] > 0; r++) {
            size_t total = left[0] + left[1];
            size_t len = total < STDOUT_RECORD_MAX ? total : STDOUT_RECORD_MAX;
            record_header(hdr[r], c, FCGI_STDOUT, len);
            iov[n++] = (struct iovec){ hdr[r], 8 };
            while (len > 0) {
                if (!left[part]) part++;
                size_t take = len < left[part] ? len : left[part];
                iov[n++] = (struct iovec){ (void *)at[part], take };
                at[part] += take;
                left[part] -= take;
                len -= take;
            }
        }
        if (last && left[0] + left[1] == 0) {
            record_header(closing, c, FCGI_STDOUT, 0);
            record_header(closing + 8, c, FCGI_END_REQUEST, sizeof(FCGI_EndRequestBody));
            memset(closing + 16, 0, sizeof(FCGI_EndRequestBody)); /* status 0, FCGI_REQUEST_COMPLETE */
            iov[n++] = (struct iovec){ closing, sizeof closing };
        }
        if (n > 0 && writev_all(c->req.ipcFd, iov, n) != 0) return -1;
    } while (left[0] + left[1] > 0);
    if (last) c->req.out->isClosed = c->req.out->wasFCloseCalled = 1;
    return 0;
}

int fcgi_send_response(struct fcgi_conn *c, struct response *res, struct arena *a)
{
    struct buf h;
    buf_init(&h, a, 512);
    build_head(&h, res, true);
    return write_stdout(c, h.data, h.len, res->body.data, c->head ? 0 : res->body.len, true);
}

struct stream_ctx {
    struct fcgi_conn *conn;
    struct response *res;
    struct arena *arena;
};

/* p == NULL sends the status and headers (no Content-Length: the body streams). */
static int stream_write(void *ctx, const char *p, size_t n)
{
    struct stream_ctx *s = ctx;
    if (!p) {
        send_head(s->conn, s->res, s->arena);
        return 0;
    }
    if (s->conn->head || n == 0) return 0;
    return write_stdout(s->conn, p, n, NULL, 0, false);
}

void fcgi_bind_stream(struct fcgi_conn *c, struct response *res, struct arena *a)
{
    struct stream_ctx *s = arena_alloc(a, sizeof *s);
    s->conn = c;
    s->res = res;
    s->arena = a;
    res->stream_ctx = s;
    res->stream_write = stream_write;
}

/* libfcgi closes a connection gracefully: shutdown, then a poll and reads until nginx
 * closes its end. The reads drain what nginx may still be sending (a request body
 * answered before it was read: nginx's writes would fail and it would answer 502), and
 * on TCP they keep late bytes from making our stack send a reset that discards the
 * response. A request without a body over a Unix socket needs neither: nginx sent
 * all of it at once, its end-of-input record is already in libfcgi's buffer (read here
 * without a system call), and a Unix socket's peer reads all that was sent before it
 * sees the close. There the three system calls, a sixth of a page's, are skipped:
 * FCGX_Detach (libfcgi 2.4) only marks the request so that FCGX_Finish_r closes the
 * socket without them. */
void fcgi_finish(struct fcgi_conn *c)
{
    if (c->unix_local && c->no_body && FCGX_GetChar(c->req.in) == EOF) FCGX_Detach(&c->req);
    FCGX_Finish_r(&c->req);
    c->no_body = false;
}
