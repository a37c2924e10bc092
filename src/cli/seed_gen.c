/* seed_gen.c — the deterministic demo-data generator (see seed_gen.h): everything
 * here is a pure function of the PRNG state and its arguments, so a seed reproduces
 * the same bytes, and the unit tests can check it without a database. */
#include "seed_gen.h"

#include <string.h>

#include "../core/buf.h"
#include "../domain/civil_date.h"

#define DAY 86400

/* ---- PRNG ------------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void sg_seed(struct sg_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95u);
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sg_next(struct sg_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t sg_below(struct sg_rng *rng, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* reject the uneven top slice */
    uint64_t x;
    do x = sg_next(rng);
    while (x >= limit);
    return x % n;
}

double sg_unit(struct sg_rng *rng) { return (double)(sg_next(rng) >> 11) * 0x1.0p-53; }

bool sg_chance(struct sg_rng *rng, double p) { return sg_unit(rng) < p; }

size_t sg_weighted(struct sg_rng *rng, const unsigned *weights, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += weights[i];
    uint64_t x = sg_below(rng, sum);
    for (size_t i = 0; i < n; i++) {
        if (x < weights[i]) return i;
        x -= weights[i];
    }
    return n - 1;
}

static const char hexdigits[] = "0123456789abcdef";

void sg_hex(struct sg_rng *rng, size_t n, char *out)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0) bits = sg_next(rng);
        out[i] = hexdigits[bits & 15];
        bits >>= 4;
    }
    out[n] = '\0';
}

void sg_uuid(struct sg_rng *rng, char *out)
{
    char hex[33];
    sg_hex(rng, 32, hex);
    hex[12] = '4';                         /* version 4 */
    hex[16] = hexdigits[8 + (sg_next(rng) & 3)]; /* variant 10xx */
    size_t j = 0;
    for (size_t i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out[j++] = '-';
        out[j++] = hex[i];
    }
    out[j] = '\0';
}

/* ---- names and numbers ------------------------------------------------------------ */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const first_names[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley",
    "Priya", "Emily", "Wei", "Donna", "Andrew", "Michelle", "Joshua", "Carol", "Kevin", "Amanda",
    "Brian", "Melissa", "Omar", "Deborah", "Luis", "Stephanie", "Jason", "Rebecca", "Ryan", "Laura",
    "Aisha", "Sofia", "Diego", "Hannah", "Tyler", "Grace", "Noah", "Chloe", "Ethan", "Mei",
};
static const char *const last_names[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Patel", "Chen", "Kim", "O'Brien", "Murphy", "Cohen", "Kowalski", "Okafor",
};
static const struct company {
    const char *name, *domain;
} companies[] = {
    { "Harbor View Realty", "harborviewrealty.com" }, { "Summit Property Group", "summitpg.com" },
    { "Brightline Dental", "brightlinedental.com" },  { "Oak & Stone Builders", "oakstone.build" },
    { "Metro Home Loans", "metrohomeloans.com" },     { "Greenleaf Insurance", "greenleafins.com" },
    { "Parkside Medical", "parksidemed.org" },        { "Northwind Logistics", "northwind.co" },
    { "Cedar Creek HOA", "cedarcreekhoa.org" },       { "Atlas Renovations", "atlasreno.com" },
    { "Bluebird Cafe", "bluebirdcafe.com" },          { "Keystone Law", "keystonelaw.com" },
};
static const char *const mail_domains[] = { "gmail.com", "outlook.com", "yahoo.com", "icloud.com" };

/* Area codes (New York, New Jersey, Boston, Chicago, Florida, California, Texas): contacts
 * take the first list, strangers the second, so a stranger is never a contact. */
static const unsigned contact_areas[] = { 212, 646, 718, 917, 201, 973, 617, 312, 305, 415, 213, 512 };
static const unsigned stranger_areas[] = { 347, 929, 732, 908, 857, 773, 786, 510, 310, 737, 469, 404 };
#define LOCAL_NUMBERS 8000000u /* NXX 200–999 × line 0000–9999 */

const char *sg_first_name(struct sg_rng *rng) { return first_names[sg_below(rng, COUNT(first_names))]; }
const char *sg_last_name(struct sg_rng *rng) { return last_names[sg_below(rng, COUNT(last_names))]; }
const char *sg_company(struct sg_rng *rng) { return companies[sg_below(rng, COUNT(companies))].name; }

static void put_digits(char *out, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static void make_phone(unsigned area, uint64_t local, char *out)
{
    out[0] = '+';
    out[1] = '1';
    put_digits(out + 2, area, 3);
    put_digits(out + 5, 200 + local / 10000, 3);
    put_digits(out + 8, local % 10000, 4);
    out[SG_PHONE_LEN] = '\0';
}

/* index → (area, k) → local = (k·mult + add) mod 8e6: a bijection, since mult is
 * coprime with 8e6 = 2^9·5^6, so distinct indexes never share a number. */
void sg_contact_phone(uint64_t seed, uint64_t index, char *out)
{
    uint64_t x = seed;
    uint64_t mult = (splitmix64(&x) % LOCAL_NUMBERS) | 1;
    if (mult % 5 == 0) mult += 2;
    uint64_t add = splitmix64(&x) % LOCAL_NUMBERS;
    uint64_t k = index / COUNT(contact_areas);
    make_phone(contact_areas[index % COUNT(contact_areas)], (k % LOCAL_NUMBERS * mult + add) % LOCAL_NUMBERS, out);
}

uint64_t sg_contact_phone_max(void) { return (uint64_t)COUNT(contact_areas) * LOCAL_NUMBERS; }

void sg_stranger_phone(struct sg_rng *rng, char *out)
{
    make_phone(stranger_areas[sg_below(rng, COUNT(stranger_areas))], sg_below(rng, LOCAL_NUMBERS), out);
}

/* ---- time ------------------------------------------------------------------------ */

/* The day number of the nth Sunday (1-based) of month m of year y. */
static long nth_sunday(long y, int m, int n)
{
    int64_t first = civil_days_from_ymd(y, (unsigned)m, 1);
    return (long)(first + (7 - civil_iso_weekday(first)) % 7 + 7 * (n - 1));
}

long sg_new_york_offset(time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    long y = tm.tm_year + 1900;
    /* Daylight time: second Sunday of March 02:00 EST (07:00 UTC) to first Sunday of
     * November 02:00 EDT (06:00 UTC). */
    time_t start = (time_t)nth_sunday(y, 3, 2) * DAY + 7 * 3600;
    time_t end = (time_t)nth_sunday(y, 11, 1) * DAY + 6 * 3600;
    return t >= start && t < end ? -4 * 3600 : -5 * 3600;
}

/* Relative call volume at instant t (max 1.0): office hours, quieter evenings and
 * weekends, almost nothing at night, New York time. */
static double volume_at(time_t t)
{
    static const double by_hour[24] = {
        0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.15, 0.55, 0.95, 1.0, 0.95,
        0.75, 0.9,  1.0,  0.95, 0.85, 0.6,  0.35, 0.25, 0.15, 0.1, 0.06, 0.03,
    };
    long local = (long)t + sg_new_york_offset(t);
    long days = local / DAY;
    double w = by_hour[(local % DAY) / 3600];
    return civil_iso_weekday(days) >= 6 ? w * 0.3 : w; /* Saturday, Sunday */
}

void sg_timeline_init(struct sg_timeline *tl, time_t anchor, int days, uint64_t total)
{
    if (days < 1) days = 1;
    if (days > (int)COUNT(tl->weights)) days = (int)COUNT(tl->weights);
    tl->anchor = anchor;
    tl->days = days;
    tl->total = total;
    tl->weight_sum = 0;
    for (int d = 0; d < days; d++) {
        double w = 0;
        for (int h = 0; h < 24; h++) w += volume_at(anchor - (time_t)(d + 1) * DAY + h * 3600 + 1800);
        tl->weights[d] = w;
        tl->weight_sum += w;
    }
}

uint64_t sg_timeline_count(const struct sg_timeline *tl, int d)
{
    /* Rounded cumulative shares, so the windows add up to exactly total. */
    double before = 0;
    for (int i = 0; i < d; i++) before += tl->weights[i];
    double share = (double)tl->total / tl->weight_sum;
    uint64_t lo = (uint64_t)(before * share + 0.5);
    uint64_t hi = d + 1 >= tl->days ? tl->total : (uint64_t)((before + tl->weights[d]) * share + 0.5);
    return hi > lo ? hi - lo : 0;
}

time_t sg_timeline_time(const struct sg_timeline *tl, struct sg_rng *rng, int d)
{
    time_t start = tl->anchor - (time_t)(d + 1) * DAY;
    for (;;) {
        time_t t = start + (time_t)sg_below(rng, DAY);
        if (sg_unit(rng) < volume_at(t)) return t;
    }
}

/* ---- COPY text ---------------------------------------------------------------------- */

static void put_fixed(struct buf *b, uint64_t v, int width)
{
    char d[20];
    put_digits(d, v, width);
    buf_append(b, d, (size_t)width);
}

void sg_put_time(struct buf *b, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    put_fixed(b, (uint64_t)tm.tm_year + 1900, 4);
    buf_putc(b, '-');
    put_fixed(b, (uint64_t)tm.tm_mon + 1, 2);
    buf_putc(b, '-');
    put_fixed(b, (uint64_t)tm.tm_mday, 2);
    buf_putc(b, ' ');
    put_fixed(b, (uint64_t)tm.tm_hour, 2);
    buf_putc(b, ':');
    put_fixed(b, (uint64_t)tm.tm_min, 2);
    buf_putc(b, ':');
    put_fixed(b, (uint64_t)tm.tm_sec, 2);
    buf_puts(b, "+00");
}

/* Text in COPY's text format: backslash, tab, newline and CR escaped. */
static void put_text(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': buf_puts(b, "\\\\"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        default: buf_putc(b, *s);
        }
    }
}

/* A JSON string inside a COPY text field: JSON's escapes, whose backslashes COPY then
 * needs doubled. */
static void put_json_str(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_puts(b, "\\\\");
            buf_putc(b, (char)*p);
        } else if (*p < 0x20) {
            buf_puts(b, "\\\\u00");
            buf_putc(b, hexdigits[*p >> 4]);
            buf_putc(b, hexdigits[*p & 15]);
        } else {
            buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

/* v / 100 with two decimals ("-0.42", "0.90"). */
static void put_hundredths(struct buf *b, long v)
{
    if (v < 0) {
        buf_putc(b, '-');
        v = -v;
    }
    buf_put_long(b, v / 100);
    buf_putc(b, '.');
    put_fixed(b, (uint64_t)v % 100, 2);
}

static void put_lower(struct buf *b, const char *s)
{
    for (; *s; s++) buf_putc(b, *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s);
}

static void tab(struct buf *b) { buf_putc(b, '\t'); }

void sg_contact_row(struct sg_rng *rng, uint64_t seed, uint64_t index, const char *org_id,
                    time_t anchor, struct sg_contact *c, struct buf *row)
{
    sg_uuid(rng, c->id);
    sg_contact_phone(seed, index, c->phone);
    c->first = sg_first_name(rng);
    c->last = sg_last_name(rng);
    const struct company *co = sg_chance(rng, 0.5) ? &companies[sg_below(rng, COUNT(companies))] : NULL;
    bool email = sg_chance(rng, 0.6);
    time_t created = anchor - (time_t)sg_below(rng, 180 * DAY);

    buf_puts(row, c->id);
    tab(row);
    buf_puts(row, org_id);
    tab(row);
    put_text(row, c->first);
    buf_putc(row, ' ');
    put_text(row, c->last);
    tab(row);
    buf_puts(row, c->phone);
    tab(row);
    if (email) {
        put_lower(row, c->first);
        buf_putc(row, '.');
        put_lower(row, c->last);
        buf_putc(row, '@');
        buf_puts(row, co ? co->domain : mail_domains[sg_below(rng, COUNT(mail_domains))]);
    } else {
        buf_puts(row, "\\N");
    }
    tab(row);
    put_text(row, co ? co->name : "");
    tab(row);
    sg_put_time(row, created);
    tab(row);
    sg_put_time(row, created);
    buf_putc(row, '\n');
}

/* ---- calls ---------------------------------------------------------------------------- */

const char sg_call_columns[] =
    "id, org_id, direction, provider, provider_call_id, from_number, to_number, contact_id,"
    " caller_name, status, started_at, ended_at, duration_s, transcript, summary, ended_reason,"
    " sentiment_score, sentiment_label, action_items, is_demo, created_at, updated_at,"
    " recording_status, recording_path, recording_bytes, recording_content_type";

/* The org's own lines (555-01xx numbers are reserved for fiction). */
static const char *const org_lines[] = { "+12125550142", "+16465550178", "+19175550123" };

enum topic { T_APPOINTMENT, T_PRICING, T_LISTING, T_CALLBACK, T_COMPLAINT, T_COUNT };

static const struct topic_bank {
    const char *caller[8], *agent[8], *subject[3], *outcome[3], *actions[4];
    int mood; /* sentiment bias in hundredths */
} topics[T_COUNT] = {
    [T_APPOINTMENT] = {
        .caller = { "I would like to book a viewing for this Saturday if possible.",
                    "Do you have anything open on Tuesday afternoon?",
                    "I need to move my appointment to next week.",
                    "Morning works better for me, maybe around ten.",
                    "Can I bring my partner along to the appointment?",
                    "Is there parking near your office?",
                    "Yes, that time works for me.",
                    "Could you send me a confirmation by text?" },
        .agent = { "I can offer Saturday at 11 or Monday at 2. Which do you prefer?",
                   "Tuesday at 3:30 is open. Shall I book it?",
                   "No problem, I have moved your appointment to Thursday at 10.",
                   "You are all set. You will get a confirmation text shortly.",
                   "Of course, bring anyone you like.",
                   "There is a garage right across the street.",
                   "Could I get the best number to reach you on?",
                   "I have noted that in your booking." },
        .subject = { "booking a viewing", "rescheduling an appointment", "an appointment next week" },
        .outcome = { "Appointment booked and confirmation sent.", "Appointment moved to a new slot.",
                     "Caller will confirm the time by text." },
        .actions = { "Send appointment confirmation", "Add appointment to the shared calendar",
                     "Remind caller the day before", "Prepare viewing documents" },
        .mood = 40,
    },
    [T_PRICING] = {
        .caller = { "How much does the premium plan cost per month?",
                    "Is there a discount if I pay for the year?",
                    "That is a bit more than I expected.",
                    "What is included in the basic package?",
                    "Are there any setup fees?",
                    "Can you send me a written quote?",
                    "A competitor offered me a lower rate.",
                    "Okay, let me think about it and get back to you." },
        .agent = { "The premium plan is 149 dollars a month, billed monthly.",
                   "Paying annually saves you two months.",
                   "The basic package covers scheduling, reminders and reporting.",
                   "There are no setup fees for new customers this quarter.",
                   "I will email you a written quote today.",
                   "I can check whether we can match that offer.",
                   "Would a short demo help you decide?",
                   "Let me see what discounts apply to your account." },
        .subject = { "pricing for the premium plan", "an annual discount", "a written quote" },
        .outcome = { "Quote to be sent by email.", "Caller is comparing offers.", "Caller accepted the annual plan." },
        .actions = { "Email a written quote", "Check price match with a manager", "Schedule a product demo",
                     "Follow up on the quote in three days" },
        .mood = 10,
    },
    [T_LISTING] = {
        .caller = { "I saw the listing on Maple Street. Is it still available?",
                    "How many bedrooms does the apartment have?",
                    "Is the rent negotiable?",
                    "Are pets allowed in the building?",
                    "When would the unit be available to move in?",
                    "Does the price include utilities?",
                    "Is there outdoor space or a balcony?",
                    "Could you send me more photos?" },
        .agent = { "Yes, the Maple Street listing is still available.",
                   "It has three bedrooms and two bathrooms.",
                   "The owner is open to offers on a twelve month lease.",
                   "Cats and small dogs are welcome.",
                   "It is available from the first of next month.",
                   "Water and heating are included, electricity is not.",
                   "There is a shared roof terrace.",
                   "I will send the full photo set and the floor plan." },
        .subject = { "the Maple Street listing", "a three bedroom apartment", "availability of a unit" },
        .outcome = { "Listing details and photos sent.", "Viewing to be scheduled.", "Caller will apply online." },
        .actions = { "Send listing photos and floor plan", "Schedule a viewing", "Ask the owner about the rent",
                     "Send the rental application link" },
        .mood = 30,
    },
    [T_CALLBACK] = {
        .caller = { "I am returning a call I missed earlier today.",
                    "Someone left me a voicemail about my application.",
                    "Could somebody call me back after five?",
                    "I was told a manager would call me back.",
                    "My number is the one I am calling from.",
                    "I am available tomorrow morning too.",
                    "Thanks, I will wait for the call.",
                    "Is this about my renewal?" },
        .agent = { "Thanks for calling back. Let me pull up your file.",
                   "I see the note. Our manager wanted to go over your application.",
                   "I will arrange a callback after five today.",
                   "The manager is on another call. Can they reach you in an hour?",
                   "I have your number on file.",
                   "Tomorrow morning works, I have put you down for nine.",
                   "Yes, it is about the renewal paperwork.",
                   "You will hear from us shortly." },
        .subject = { "a missed call", "a callback request", "a voicemail about an application" },
        .outcome = { "Callback scheduled.", "Manager to return the call.", "Caller's question answered." },
        .actions = { "Call the customer back after 5 pm", "Manager to return the call", "Update the contact's phone number",
                     "Send renewal paperwork" },
        .mood = 15,
    },
    [T_COMPLAINT] = {
        .caller = { "I have been waiting two weeks for someone to fix the heating.",
                    "This is the third time I am calling about this.",
                    "Nobody showed up for the appointment yesterday.",
                    "I was charged twice this month.",
                    "I am really not happy with how this has been handled.",
                    "I want to speak to a manager.",
                    "Fine, but I expect this to be fixed this week.",
                    "Thank you for finally listening." },
        .agent = { "I am sorry about the wait. Let me look into it right now.",
                   "I understand your frustration, and I apologize.",
                   "I see the missed visit. I will escalate it immediately.",
                   "I can see the double charge. I will refund it today.",
                   "A technician can come tomorrow between eight and noon.",
                   "I will have a manager call you back today.",
                   "I have marked this as urgent.",
                   "Thank you for your patience." },
        .subject = { "a delayed repair", "a double charge", "a missed appointment" },
        .outcome = { "Issue escalated to a manager.", "Refund issued.", "Technician visit booked for tomorrow." },
        .actions = { "Escalate to the operations manager", "Refund the duplicate charge", "Book an urgent technician visit",
                     "Call the customer to confirm the fix" },
        .mood = -45,
    },
};

static const char *const agent_openings[] = {
    "Thank you for calling Demo Company, this is Riley. How can I help you today?",
    "Good morning, Demo Company, you are speaking with Sam. What can I do for you?",
    "Hi, this is Jordan from Demo Company. Do you have a moment?",
};
static const char *const agent_closings[] = {
    "Is there anything else I can help you with today?",
    "Thanks for calling, have a great day.",
    "Great, we will be in touch soon. Goodbye.",
};
static const char *const system_lines[] = {
    "Caller placed on hold.", "Call transferred to a human agent.", "Recording resumed.",
};

/* Durations of completed calls, long-tailed: most a couple of minutes, a few up to 30. */
static long completed_duration(struct sg_rng *rng)
{
    static const unsigned band_weights[] = { 55, 33, 12 };
    static const long lo[] = { 10, 120, 600 }, hi[] = { 120, 600, 1800 };
    size_t band = sg_weighted(rng, band_weights, COUNT(band_weights));
    double u = sg_unit(rng);
    return lo[band] + (long)((double)(hi[band] - lo[band]) * u * u);
}

static void put_transcript(struct buf *row, struct sg_rng *rng, const struct topic_bank *tb, long duration_s)
{
    long turns = 4 + (long)sg_below(rng, 27);
    if (turns > 2 + duration_s / 4) turns = 2 + duration_s / 4;
    double slot = (double)duration_s * 1000.0 / ((double)turns + 0.5);
    buf_putc(row, '[');
    bool agent = true;
    for (long i = 0; i < turns; i++) {
        const char *speaker, *text;
        if (i > 0 && i < turns - 1 && sg_chance(rng, 0.04)) {
            speaker = "system";
            text = system_lines[sg_below(rng, COUNT(system_lines))];
        } else {
            speaker = agent ? "agent" : "caller";
            if (i == 0) text = agent_openings[sg_below(rng, COUNT(agent_openings))];
            else if (i == turns - 1 && agent) text = agent_closings[sg_below(rng, COUNT(agent_closings))];
            else text = agent ? tb->agent[sg_below(rng, 8)] : tb->caller[sg_below(rng, 8)];
            agent = !agent;
        }
        /* Each line starts inside its own slot, so t_ms strictly increases. */
        long t_ms = (long)(((double)i + 0.2 + 0.6 * sg_unit(rng)) * slot);
        buf_puts(row, i ? ", {\"t_ms\": " : "{\"t_ms\": ");
        buf_put_long(row, t_ms);
        buf_puts(row, ", \"speaker\": ");
        put_json_str(row, speaker);
        buf_puts(row, ", \"text\": ");
        put_json_str(row, text);
        buf_puts(row, ", \"confidence\": ");
        put_hundredths(row, 80 + (long)sg_below(rng, 20));
        buf_putc(row, '}');
    }
    buf_putc(row, ']');
}

static void put_summary(struct buf *row, struct sg_rng *rng, const struct topic_bank *tb, const char *first)
{
    put_text(row, first ? first : "The caller");
    buf_puts(row, " called about ");
    put_text(row, tb->subject[sg_below(rng, 3)]);
    buf_puts(row, ". ");
    put_text(row, tb->outcome[sg_below(rng, 3)]);
}

static void put_actions(struct buf *row, struct sg_rng *rng, const struct topic_bank *tb)
{
    unsigned n = sg_chance(rng, 0.5) ? 1 + (unsigned)sg_below(rng, 3) : 0;
    unsigned start = (unsigned)sg_below(rng, 4);
    buf_putc(row, '[');
    for (unsigned i = 0; i < n; i++) {
        if (i) buf_puts(row, ", ");
        put_json_str(row, tb->actions[(start + i) % 4]);
    }
    buf_putc(row, ']');
}

/* Sentiment in hundredths: the topic's mood plus noise, within [-100, 100]. */
static long sentiment(struct sg_rng *rng, const struct topic_bank *tb)
{
    long v = tb->mood + (long)sg_below(rng, 61) + (long)sg_below(rng, 61) - 60;
    return v < -100 ? -100 : v > 100 ? 100 : v;
}

enum status { S_COMPLETED, S_NO_ANSWER, S_BUSY, S_FAILED, S_CANCELED, S_QUEUED, S_RINGING, S_IN_PROGRESS };
static const char *const status_names[] = { "completed", "no_answer", "busy", "failed",
                                            "canceled", "queued", "ringing", "in_progress" };

/* The terminal status by weight, or a live one when the call is too recent to be over. */
static enum status call_status(struct sg_rng *rng, time_t started, long *duration, time_t anchor)
{
    static const unsigned weights[] = { 68, 15, 7, 6, 4 };
    enum status s = (enum status)sg_weighted(rng, weights, COUNT(weights));
    *duration = s == S_COMPLETED ? completed_duration(rng) : 0;
    if (anchor - started < 45) return sg_chance(rng, 0.5) ? S_QUEUED : S_RINGING;
    if (s == S_COMPLETED && started + *duration > anchor) {
        *duration = 0;
        return S_IN_PROGRESS;
    }
    return s;
}

static const char *ended_reason(enum status s, bool vapi)
{
    switch (s) {
    case S_COMPLETED: return vapi ? "customer-ended-call" : "completed";
    case S_NO_ANSWER: return vapi ? "customer-did-not-answer" : "no-answer";
    case S_BUSY: return vapi ? "customer-busy" : "busy";
    case S_FAILED: return vapi ? "pipeline-error-openai-llm-failed" : "failed";
    case S_CANCELED: return vapi ? "assistant-request-failed" : "canceled";
    default: return "";
    }
}

/* The other party: a known contact (sometimes) or a stranger. */
struct party {
    const struct sg_contact *contact;
    char phone[SG_PHONE_LEN + 1];
    const char *first, *last; /* the name heard or known; NULL when none */
};

static void pick_party(struct sg_rng *rng, const struct sg_call_ctx *ctx, bool inbound, struct party *p)
{
    p->contact = NULL;
    p->first = p->last = NULL;
    if (ctx->ncontacts && sg_chance(rng, inbound ? 0.5 : 0.75)) {
        p->contact = &ctx->contacts[sg_below(rng, ctx->ncontacts)];
        memcpy(p->phone, p->contact->phone, sizeof p->phone);
        if (sg_chance(rng, 0.85)) {
            p->first = p->contact->first;
            p->last = p->contact->last;
        }
        return;
    }
    sg_stranger_phone(rng, p->phone);
    if (sg_chance(rng, 0.45)) {
        p->first = sg_first_name(rng);
        p->last = sg_last_name(rng);
    }
}

static void put_party_columns(struct buf *row, const struct party *p, bool inbound, const char *line)
{
    buf_puts(row, inbound ? p->phone : line);
    tab(row);
    buf_puts(row, inbound ? line : p->phone);
    tab(row);
    buf_puts(row, p->contact ? p->contact->id : "\\N");
    tab(row);
    if (p->first) {
        put_text(row, p->first);
        buf_putc(row, ' ');
        put_text(row, p->last);
    }
    tab(row);
}

/* transcript … action_items of a completed call. */
static void put_conversation(struct buf *row, struct sg_rng *rng, const struct party *p, long duration)
{
    const struct topic_bank *tb = &topics[sg_below(rng, T_COUNT)];
    put_transcript(row, rng, tb, duration);
    tab(row);
    put_summary(row, rng, tb, p->first);
    tab(row);
    buf_puts(row, ended_reason(S_COMPLETED, sg_chance(rng, 0.5)));
    tab(row);
    long s = sentiment(rng, tb);
    put_hundredths(row, s);
    tab(row);
    buf_puts(row, s > 25 ? "positive" : s < -25 ? "negative" : "neutral");
    tab(row);
    put_actions(row, rng, tb);
}

void sg_call_row(struct sg_rng *rng, const struct sg_call_ctx *ctx, time_t started, struct buf *row,
                 struct sg_call_info *info)
{
    bool inbound = sg_chance(rng, 0.6), vapi = sg_chance(rng, 0.55);
    char provider_id[SG_UUID_LEN + 1];
    sg_uuid(rng, info->id);
    if (vapi) sg_uuid(rng, provider_id);
    else {
        provider_id[0] = 'C';
        provider_id[1] = 'A';
        sg_hex(rng, 32, provider_id + 2);
    }
    struct party p;
    pick_party(rng, ctx, inbound, &p);
    long duration;
    enum status s = call_status(rng, started, &duration, ctx->anchor);
    bool live = s >= S_QUEUED;

    buf_puts(row, info->id);
    tab(row);
    buf_puts(row, ctx->org_id);
    tab(row);
    buf_puts(row, inbound ? "inbound\t" : "outbound\t");
    buf_puts(row, vapi ? "vapi\t" : "twilio\t");
    buf_puts(row, provider_id);
    tab(row);
    put_party_columns(row, &p, inbound, org_lines[sg_below(rng, COUNT(org_lines))]);
    buf_puts(row, status_names[s]);
    tab(row);
    sg_put_time(row, started);
    tab(row);
    if (live) buf_puts(row, "\\N");
    else sg_put_time(row, started + duration);
    tab(row);
    buf_put_long(row, duration);
    tab(row);
    if (s == S_COMPLETED) put_conversation(row, rng, &p, duration);
    else {
        buf_puts(row, "[]\t\t");
        buf_puts(row, ended_reason(s, vapi));
        buf_puts(row, "\t\\N\t\\N\t[]");
    }
    tab(row);
    buf_puts(row, sg_chance(rng, 0.02) ? "t\t" : "f\t");
    sg_put_time(row, started);
    tab(row);
    sg_put_time(row, live ? started : started + duration);
    tab(row);
    info->wants_recording = s == S_COMPLETED && sg_chance(rng, 0.2);
}

void sg_call_row_recording(struct buf *row, const char *path, long bytes)
{
    if (!path) {
        buf_puts(row, "none\t\\N\t0\t\n");
        return;
    }
    buf_puts(row, "stored\t");
    put_text(row, path);
    tab(row);
    buf_put_long(row, bytes);
    buf_puts(row, "\taudio/wav\n");
}

/* ---- audio ------------------------------------------------------------------------- */

static void put_le(struct buf *b, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) buf_putc(b, (char)(v >> (8 * i) & 0xff));
}

/* sin and cos of a small angle w (< 1 rad) by their Taylor series, so the audio needs
 * no libm and is the same everywhere. */
static void small_sincos(double w, double *s, double *c)
{
    double w2 = w * w;
    *s = w * (1 - w2 / 6 * (1 - w2 / 20 * (1 - w2 / 42 * (1 - w2 / 72))));
    *c = 1 - w2 / 2 * (1 - w2 / 12 * (1 - w2 / 30 * (1 - w2 / 56)));
}

void sg_wav(struct sg_rng *rng, struct buf *out)
{
    enum { RATE = 8000 };
    uint32_t samples = RATE * 2 + (uint32_t)sg_below(rng, RATE * 3 + 1);
    uint32_t data_bytes = samples * 2;
    buf_puts(out, "RIFF");
    put_le(out, 36 + data_bytes, 4);
    buf_puts(out, "WAVEfmt ");
    put_le(out, 16, 4);        /* fmt chunk size */
    put_le(out, 1, 2);         /* PCM */
    put_le(out, 1, 2);         /* mono */
    put_le(out, RATE, 4);
    put_le(out, RATE * 2, 4);  /* byte rate */
    put_le(out, 2, 2);         /* block align */
    put_le(out, 16, 2);        /* bits per sample */
    buf_puts(out, "data");
    put_le(out, data_bytes, 4);
    /* Two tones one after the other (a resonator: y[n] = 2cos(w)·y[n-1] − y[n-2]),
     * faded in and out, over a little noise. */
    double freq = 300 + (double)sg_below(rng, 300);
    for (int tone = 0; tone < 2; tone++) {
        uint32_t n0 = tone * (samples / 2), n1 = tone ? samples : samples / 2;
        double s, c;
        small_sincos(6.283185307179586 * freq * (tone ? 1.5 : 1.0) / RATE, &s, &c);
        double y1 = 0, y2 = -s;
        for (uint32_t n = n0; n < n1; n++) {
            double y = 2 * c * y1 - y2;
            y2 = y1;
            y1 = y;
            uint32_t edge = n - n0 < n1 - n ? n - n0 : n1 - n;
            double gain = edge < 400 ? (double)edge / 400 : 1.0;
            long v = (long)(y * 9000 * gain) + (long)sg_below(rng, 801) - 400;
            put_le(out, (uint32_t)(int32_t)v, 2);
        }
    }
}
