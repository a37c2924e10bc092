/* clock.h — the two clocks the server reads: monotonic for durations and deadlines,
 * wall-clock for what is shown or stored as a time. */
#ifndef SB_CLOCK_H
#define SB_CLOCK_H
#include <stdint.h>

/* Microseconds of CLOCK_MONOTONIC: only differences mean anything. */
int64_t clock_mono_us(void);
/* Microseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_wall_us(void);
#endif
