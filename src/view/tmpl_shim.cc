// tmpl_shim.cc — the only C++ in Switchboard: ctemplate behind the C API of view.h.
// Templates are parsed once per worker (the default cache) and expanded straight
// into the response buffer through an emitter, so a page is never copied.
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

struct tdict {
    TemplateDictionary *d;
    struct arena *a;     /* where wrappers of child dictionaries are allocated */
    struct tdict *root;  /* the top-level dictionary this one belongs to */
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

struct tdict *wrap(struct arena *a, TemplateDictionary *d, struct tdict *root)
{
    struct tdict *t = static_cast<struct tdict *>(arena_alloc(a, sizeof *t));
    t->d = d;
    t->a = a;
    t->root = root ? root : t;
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

std::string g_root;   // the template directory, with a trailing '/'
int g_preload_failed; // nftw callbacks take no user data

int preload_one(const char *path, const struct stat *, int type, struct FTW *)
{
    size_t n = strlen(path);
    if (type != FTW_F || n < 4 || strcmp(path + n - 4, ".tpl") != 0) return 0;
    if (!ctemplate::LoadTemplate(path + g_root.size(), ctemplate::STRIP_BLANK_LINES)) g_preload_failed++;
    return 0;
}

} // namespace

extern "C" {

int view_init(const char *template_dir)
{
    ctemplate::TemplateCache *c = ctemplate::mutable_default_template_cache();
    c->ClearCache();
    std::string dir(template_dir);
    if (dir.empty() || dir[dir.size() - 1] != '/') dir += '/';
    g_root = dir;
    return c->SetTemplateRootDirectory(dir) ? 0 : -1;
}

int view_preload(const char *const *names, int n)
{
    int failed = 0;
    for (int i = 0; i < n; i++)
        if (!ctemplate::LoadTemplate(names[i], ctemplate::STRIP_BLANK_LINES)) failed++;
    return failed;
}

int view_preload_all(void)
{
    g_preload_failed = 0;
    if (nftw(g_root.c_str(), preload_one, 16, FTW_PHYS) != 0) return -1;
    return g_preload_failed;
}

void view_reload(void)
{
    ctemplate::mutable_default_template_cache()->ClearCache();
}

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

int view_render(const char *name, struct tdict *d, struct buf *out)
{
    BufEmitter e(out);
    return ctemplate::mutable_default_template_cache()->ExpandWithData(
               name, ctemplate::STRIP_BLANK_LINES, d->d, nullptr, &e)
               ? 0
               : -1;
}

} // extern "C"
