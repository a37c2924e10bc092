/* recording_download.h — the recording_download job: fetch a call's recording from
 * the provider into recordings_dir/<org_id>/<call_id>.<ext>. */
#ifndef SB_RECORDING_DOWNLOAD_H
#define SB_RECORDING_DOWNLOAD_H
#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdbool.h>

#include "worker.h"
struct sockaddr;
struct arena;

#define RECORDING_DOWNLOAD_KIND "recording_download"

/* Runs one download (payload {"call_id": ...}); on success the call is 'stored'.
 * 5xx, 408/429, timeouts and connection errors → JOB_RETRY; other 4xx, a non-audio
 * content type, a body over recording_max_bytes, or a URL (first or redirected)
 * refused by recording_url_refusal or resolving to a private address (unless
 * recording_url_allow_private) → JOB_FAILED, before anything is fetched from it. */
enum job_result recording_download_run(struct job_ctx *c, const struct job *j);
/* After the job died: marks the call's recording 'failed'. */
void recording_download_dead(struct job_ctx *c, const struct job *j);
/* Why url may not be fetched (its scheme is not https, or http with
 * recording_url_allow_http; its host is not in recording_url_hosts; it does not
 * parse), in a; NULL when it may. */
const char *recording_url_refusal(struct arena *a, const struct config *cfg, const char *org_hosts, const char *url);
/* true for addresses outside the public internet: loopback, private, link-local
 * (cloud metadata), carrier-grade NAT, multicast, reserved, unspecified; IPv6 ones
 * and IPv4 ones mapped into IPv6. Unknown address families count as private. */
bool recording_address_private(const struct sockaddr *sa);

/* The scheme, host and port of an absolute URL, parsed by the same code libcurl
 * uses for the request (so no parser disagreement can smuggle a host past us).
 * Outbound webhooks check their URLs with it too. */
struct url_origin {
    char scheme[16], host[256], port[8];
};
bool url_origin_of(const char *url, struct url_origin *o);

/* libcurl's socket for addr, unless addr is private and that is not allowed: then
 * CURL_SOCKET_BAD, with the address written to blocked. Every hop of a recording
 * download and every outbound webhook delivery connects through it. */
curl_socket_t open_public_socket(bool allow_private, struct curl_sockaddr *addr, char blocked[INET6_ADDRSTRLEN]);
/* The file extension and canonical type for an audio content type (parameters and
 * case ignored); false if it is not a supported audio type. */
bool recording_type(str content_type, const char **ext, const char **canonical);
#endif
