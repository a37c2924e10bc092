/* recording_download.h — the recording_download job: fetch a call's recording from
 * the provider into recordings_dir/<org_id>/<call_id>.<ext>. */
#ifndef SB_RECORDING_DOWNLOAD_H
#define SB_RECORDING_DOWNLOAD_H
#include "worker.h"

#define RECORDING_DOWNLOAD_KIND "recording_download"

/* Runs one download (payload {"call_id": ...}); on success the call is 'stored'.
 * 5xx, 408/429, timeouts and connection errors → JOB_RETRY; other 4xx, a non-audio
 * content type or a body over recording_max_bytes → JOB_FAILED. */
enum job_result recording_download_run(struct job_ctx *c, const struct job *j);
/* After the job died: marks the call's recording 'failed'. */
void recording_download_dead(struct job_ctx *c, const struct job *j);
/* The file extension and canonical type for an audio content type (parameters and
 * case ignored); false if it is not a supported audio type. */
bool recording_type(str content_type, const char **ext, const char **canonical);
#endif
