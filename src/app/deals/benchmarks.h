/* benchmarks.h — the org's own rate benchmarks: the median and interquartile range
 * of the value per deliverable, for one deliverable type and platform, over the
 * deals made in the last 12 months (docs/DEALS.md). */
#ifndef SB_DEAL_BENCHMARKS_H
#define SB_DEAL_BENCHMARKS_H
#include "../../core/str.h"
struct request;
struct tdict;

/* {{>BENCHMARK}} on the deal form t: the benchmark for ?bench_type= and
 * ?bench_platform= (defaults: post on instagram) in currency, with the selects that
 * choose them (a GET form without JavaScript; static/js/deal_benchmark.js refreshes
 * it from the JSON twin). Returns 0 or the database's status. */
int deal_benchmark_fill(struct request *r, struct tdict *t, str currency);

/* GET /api/v1/deals/benchmarks?type=&platform=&currency= (viewer+). */
int api_deal_benchmarks(struct request *r);
#endif
