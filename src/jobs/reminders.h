/* reminders.h — the email_reminders periodic job (docs/ADMIN.md, "Reminders by
 * email"): for each org with reminders on, once its local time has passed its
 * reminders_time, each deal owner with deliverables due within 48 hours or payments
 * overdue gets one email a day (reminder_emails keeps the day), over the org's SMTP
 * server (providers/smtp.h). */
#ifndef SB_REMINDERS_H
#define SB_REMINDERS_H
#include "worker.h"

#define REMINDERS_KIND "email_reminders"

enum job_result reminders_run(struct job_ctx *c, const struct job *j);
#endif
