/* view.h — C API over ctemplate (the only C++ is tmpl_shim.cc): auto-escaped
 * templates parsed once (before the workers fork), dictionaries that live in the
 * request arena. */
#ifndef SB_VIEW_H
#define SB_VIEW_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;
struct buf;

struct tdict; /* a ctemplate TemplateDictionary */

/* Points the templates in use at template_dir and empties them: each is then read
 * when first rendered. Returns 0, or -1 if the directory is unreadable. (serve loads
 * them all at once with view_load_all.) */
int view_init(const char *template_dir);
/* Loads (and checks) every template listed; returns the number that failed. */
int view_preload(const char *const *names, int n);
/* Parses every *.tpl under template_dir into a new set of templates, and renders
 * from it only if all of them parse: otherwise the templates in use stay. Returns the
 * number that failed, or -1 if the directory cannot be read. `serve` calls it before
 * forking each generation of workers, which inherit the parsed templates. */
int view_load_all(const char *template_dir);
/* Drops every cached template so the next render re-reads from disk. */
void view_reload(void);

/* A new top-level dictionary, deleted when the arena is reset. */
struct tdict *tdict_new(struct arena *a, const char *name);
void tdict_set(struct tdict *d, const char *key, str value);
void tdict_set_cstr(struct tdict *d, const char *key, const char *value);
void tdict_set_long(struct tdict *d, const char *key, long value);
/* Shows {{#name}} once (no per-row values). */
void tdict_show(struct tdict *d, const char *section);
/* Adds one repetition of {{#name}} and returns its dictionary. */
struct tdict *tdict_add_section(struct tdict *d, const char *section);
/* Fills {{>name}} with template file filename; returns its dictionary. */
struct tdict *tdict_include(struct tdict *d, const char *name, const char *filename);
/* The markup value key of d (always the same key for d), to append to: written by
 * the caller, escaped by the caller (literal tags, values through buf_html_value), and
 * shown by {{KEY:none}}. For lists of small items where a section each would cost a
 * dictionary each (a select's options). Its content is d's value for key when the
 * tree is rendered. */
struct buf *tdict_markup(struct tdict *d, const char *key);
/* The top-level dictionary d belongs to (d itself for one made by tdict_new). */
struct tdict *tdict_root(struct tdict *d);
/* Sets a value visible in this dictionary and all its children, includes too
 * (plain values are not inherited across {{>includes}}). */
void tdict_set_global(struct tdict *d, const char *key, str value);

/* Renders template name (relative to the template dir) with d, appending to out.
 * Returns 0, or -1 if the template is missing or has errors. */
int view_render(const char *name, struct tdict *d, struct buf *out);
#endif
