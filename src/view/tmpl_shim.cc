// tmpl_shim.cc — the only C++ in Switchboard: ctemplate behind the C API of view.h.
// Templates are parsed once, into the cache pages are rendered from (in `serve`, by
// the process manager before it forks the workers, which inherit it), and expanded
// straight into the response buffer through an emitter, so a page is never copied.
extern "C" {
#include "view.h"

#include "../core/arena.h"
#include "../core/buf.h"
}

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_dictionary.h>
#include <ctemplate/template_emitter.h>

#include <ftw.h>
#include <stdint.h>
#include <string.h>

#include <new>
#include <string>

using ctemplate::TemplateDictionary;
using ctemplate::TemplateString;

/* A value written as markup by the caller (tdict_markup), set on its dictionary when
 * the tree is rendered. */
struct markup {
    TemplateDictionary *d;
    const char *key;
    struct buf b;
    struct markup *next;
};

struct tdict {
    TemplateDictionary *d;
    struct arena *a;         /* where wrappers of child dictionaries are allocated */
    struct tdict *root;      /* the top-level dictionary this one belongs to */
    struct markup *markup;   /* this wrapper's markup value, once asked for */
    struct markup *markups;  /* the root's: every markup value of its tree */
};

namespace {

// Appends everything ctemplate emits to a struct buf.
class BufEmitter : public ctemplate::ExpandEmitter {
  public:
    explicit BufEmitter(struct buf *b) : b_(b) {}
    void Emit(char c) override { buf_putc(b_, c); }
    void Emit(const std::string &s) override { buf_append(b_, s.data(), s.size()); }
    void Emit(const char *s) override { buf_puts(b_, s); }
    void Emit(const char *s, size_t n) override { buf_append(b_, s, n); }

  private:
    struct buf *b_;
};

void delete_dict(void *p) { delete static_cast<TemplateDictionary *>(p); }

void free_markup(void *p) { buf_free(static_cast<struct buf *>(p)); }

struct tdict *wrap(struct arena *a, TemplateDictionary *d, struct tdict *root)
{
    struct tdict *t = static_cast<struct tdict *>(arena_alloc(a, sizeof *t));
    t->d = d;
    t->a = a;
    t->root = root ? root : t;
    t->markup = nullptr;
    t->markups = nullptr;
    return t;
}

TemplateString ts(str s) { return TemplateString(s.ptr ? s.ptr : "", s.len); }

// A key whose global id is computed once. ctemplate hashes a key and looks it up in
// its global name map on every SetValue; for the 50 rows × 15 values of a list page
// that was a tenth of the worker's time.
class CachedKey : public TemplateString {
  public:
    CachedKey() : TemplateString("") {}
    explicit CachedKey(const char *s) : TemplateString(s) { CacheGlobalId(); }
};

// Keys are string literals almost always; only those (which ctemplate itself
// recognises as immutable) are cached, by address: their contents never change.
const int KEY_SLOTS = 1024;
struct KeySlot {
    const char *ptr;
    CachedKey key;
};
KeySlot g_keys[KEY_SLOTS];

TemplateString key(const char *k)
{
    TemplateString plain(k);
    if (!plain.is_immutable()) return plain;
    size_t h = (reinterpret_cast<uintptr_t>(k) >> 3) & (KEY_SLOTS - 1);
    KeySlot &slot = g_keys[h];
    if (slot.ptr != k) {
        slot.ptr = k;
        slot.key = CachedKey(k);
    }
    return slot.key;
}

// The templates pages are rendered from: ctemplate's default cache until
// view_load_all has made one of its own.
ctemplate::TemplateCache *g_cache;
ctemplate::TemplateCache *cache() { return g_cache ? g_cache : ctemplate::mutable_default_template_cache(); }

std::string with_slash(const char *dir)
{
    std::string d(dir);
    if (d.empty() || d[d.size() - 1] != '/') d += '/';
    return d;
}

// nftw callbacks take no user data: the walk's cache, root and failures.
ctemplate::TemplateCache *g_walk_cache;
size_t g_walk_root_len;
int g_walk_failed;

int load_one(const char *path, const struct stat *, int type, struct FTW *)
{
    size_t n = strlen(path);
    if (type != FTW_F || n < 4 || strcmp(path + n - 4, ".tpl") != 0) return 0;
    if (!g_walk_cache->LoadTemplate(path + g_walk_root_len, ctemplate::STRIP_BLANK_LINES)) g_walk_failed++;
    return 0;
}

// Loads every *.tpl under root into c: the number that failed, or -1.
int load_tree(ctemplate::TemplateCache *c, const std::string &root)
{
    g_walk_cache = c;
    g_walk_root_len = root.size();
    g_walk_failed = 0;
    int rc = nftw(root.c_str(), load_one, 16, FTW_PHYS);
    g_walk_cache = nullptr;
    return rc != 0 ? -1 : g_walk_failed;
}

} // namespace

extern "C" {

int view_init(const char *template_dir)
{
    ctemplate::TemplateCache *c = cache();
    c->ClearCache();
    return c->SetTemplateRootDirectory(with_slash(template_dir)) ? 0 : -1;
}

int view_preload(const char *const *names, int n)
{
    int failed = 0;
    for (int i = 0; i < n; i++)
        if (!cache()->LoadTemplate(names[i], ctemplate::STRIP_BLANK_LINES)) failed++;
    return failed;
}

int view_load_all(const char *template_dir)
{
    ctemplate::TemplateCache *fresh = new (std::nothrow) ctemplate::TemplateCache();
    if (!fresh) abort();
    std::string root = with_slash(template_dir);
    int failed = fresh->SetTemplateRootDirectory(root) ? load_tree(fresh, root) : -1;
    if (failed != 0) {
        delete fresh; // the templates in use stay
        return failed;
    }
    delete g_cache;
    g_cache = fresh;
    return 0;
}

void view_reload(void) { cache()->ClearCache(); }

struct tdict *tdict_new(struct arena *a, const char *name)
{
    TemplateDictionary *d = new (std::nothrow) TemplateDictionary(name);
    if (!d) abort();
    arena_on_reset(a, delete_dict, d);
    return wrap(a, d, nullptr);
}

void tdict_set(struct tdict *d, const char *k, str value) { d->d->SetValue(key(k), ts(value)); }

void tdict_set_cstr(struct tdict *d, const char *k, const char *value)
{
    d->d->SetValue(key(k), value ? value : "");
}

void tdict_set_long(struct tdict *d, const char *k, long value) { d->d->SetIntValue(key(k), value); }

void tdict_show(struct tdict *d, const char *section) { d->d->ShowSection(key(section)); }

struct tdict *tdict_add_section(struct tdict *d, const char *section)
{
    return wrap(d->a, d->d->AddSectionDictionary(key(section)), d->root);
}

struct tdict *tdict_include(struct tdict *d, const char *name, const char *filename)
{
    TemplateDictionary *child = d->d->AddIncludeDictionary(key(name));
    child->SetFilename(filename);
    return wrap(d->a, child, d->root);
}

void tdict_set_global(struct tdict *d, const char *k, str value)
{
    d->d->SetTemplateGlobalValue(key(k), ts(value));
}

struct tdict *tdict_root(struct tdict *d) { return d->root; }

struct buf *tdict_markup(struct tdict *d, const char *k)
{
    if (!d->markup) {
        struct markup *m = static_cast<struct markup *>(arena_alloc(d->a, sizeof *m));
        m->d = d->d;
        m->key = k;
        /* From malloc, not the arena: a select of 10,000 brands (the deals' filter
         * form on the bench data) is 850 KB of options, and its doublings in the arena
         * took the request past BIG_REQUEST_BYTES (app.c), so the worker reconnected
         * to the database after every /deals page. realloc grows it in place. */
        buf_init(&m->b, nullptr, 512);
        arena_on_reset(d->a, free_markup, &m->b);
        m->next = d->root->markups;
        d->root->markups = m;
        d->markup = m;
    }
    return &d->markup->b;
}

int view_render(const char *name, struct tdict *d, struct buf *out)
{
    /* The markup values as they stand now: their buffers live in the arena until the
     * dictionaries are deleted with it, so they are not copied. */
    for (struct markup *m = d->root->markups; m; m = m->next)
        m->d->SetValueWithoutCopy(key(m->key), TemplateString(m->b.data, m->b.len));
    BufEmitter e(out);
    return cache()->ExpandWithData(
               name, ctemplate::STRIP_BLANK_LINES, d->d, nullptr, &e)
               ? 0
               : -1;
}

} // extern "C"
