/* campaigns.h — the campaigns feature (SPEC §7): so far its contacts, their consent
 * history, the do-not-contact list and the CSV import; its route table and handlers. */
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
#endif
