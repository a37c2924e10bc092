/* campaigns.h — the campaigns feature (SPEC §7): contacts, their consent history, the
 * do-not-contact list, the CSV import and the campaign builder; its route table and
 * handlers. */
#ifndef SB_CAMPAIGNS_H
#define SB_CAMPAIGNS_H
#include "../app.h"

extern const struct route_table campaigns_routes;

/* contacts.c */
int contacts_list(struct request *r);
int contacts_export(struct request *r);
int contact_new_form(struct request *r);
int contact_create(struct request *r);
int contact_show(struct request *r);
int contact_edit_form(struct request *r);
int contact_update(struct request *r);
int contact_delete_confirm(struct request *r);
int contact_delete(struct request *r);

/* contacts_import.c */
int contacts_import_form(struct request *r);
int contacts_import_upload(struct request *r);
int contacts_import_show(struct request *r);
int contacts_import_run(struct request *r);
int contacts_import_report(struct request *r);

/* campaigns.c */
int campaigns_list(struct request *r);
int campaign_new_form(struct request *r);
int campaign_create(struct request *r);
int campaign_show(struct request *r);
int campaign_edit_form(struct request *r);
int campaign_update(struct request *r);
int campaign_delete_confirm(struct request *r);
int campaign_delete(struct request *r);
int campaign_launch(struct request *r);
int campaign_pause(struct request *r);
int campaign_resume(struct request *r);
int campaign_cancel(struct request *r);
struct dbres;
struct tdict;
/* One campaign of the tenant (lock: FOR UPDATE), or NULL with *status 404 (a bad or
 * unknown id, another org's) or the database error's. */
struct dbres *campaign_load(struct request *r, str id, bool lock, int *status);

/* campaign_progress.c */
int campaign_stats(struct request *r);
/* GET /campaigns/{id}/replies and its JSON twin (campaign_replies.c). */
int campaign_replies(struct request *r);
/* The PROGRESS section of a launched campaign's page (campaign row q); 0 or an error
 * status. */
int campaign_progress_fill(struct request *r, struct tdict *d, const struct dbres *q);
/* The QUIET_NOW section when the campaign's quiet hours hold messages back now. */
int campaign_quiet_fill(struct request *r, struct tdict *d, const struct dbres *q);
#endif
