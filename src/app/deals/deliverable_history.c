/* deliverable_history.c */
#include "deliverable_history.h"
