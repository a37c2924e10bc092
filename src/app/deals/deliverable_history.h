/* deliverable_history.h */
#ifndef SB_DELIVERABLE_HISTORY_H
#define SB_DELIVERABLE_HISTORY_H
#endif
