/* fcgi.h — the only user of libfcgi: accept a request, fill struct request,
 * write struct response. */
#ifndef SB_FCGI_H
#define SB_FCGI_H
#include <sys/types.h>

#include "request.h"
#include "response.h"

struct fcgi_conn;

/* Opens the listening socket for "unix:/path" or "host:port"; returns fd or -1
 * (errno set). A unix socket is made 0660 with group gid (nginx's), and its
 * directory, when this process owns it, 0750 with that group. */
int fcgi_listen(const char *spec, int backlog, gid_t gid);
/* Per-worker state around the listening fd. */
struct fcgi_conn *fcgi_conn_new(int listen_fd);
/* Accepts a waiting connection and reads its request head: returns 0; 1 when there
 * was none to accept (another worker took it); -1 on error. */
int fcgi_accept(struct fcgi_conn *c);
/* Fills r's header fields from the FastCGI params, the body's length included.
 * Returns 0, or 400 when CONTENT_LENGTH is not a length. */
int fcgi_read_request(struct fcgi_conn *c, struct request *r);
/* Reads the body once the route (and so its limit) is known. Returns 0, 413 when
 * it is over limit (left unread: nothing of it is parsed), or 400 when it ends
 * short. */
int fcgi_read_body(struct fcgi_conn *c, struct request *r, long limit);
/* Sends status line, headers and body. */
int fcgi_send_response(struct fcgi_conn *c, struct response *res, struct arena *a);
/* Binds response streaming to this connection. */
void fcgi_bind_stream(struct fcgi_conn *c, struct response *res, struct arena *a);
/* Completes the request (flush, close). */
void fcgi_finish(struct fcgi_conn *c);
#endif
