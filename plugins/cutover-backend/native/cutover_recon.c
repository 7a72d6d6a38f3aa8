/*
 * Switchyard's reconciliation hashing inside SQLite, in C (a SQLite loadable extension).
 *
 * cutover_recon_hash_n(spec, v1, ...)  INTEGER: the row hash of src/reconcile/canonical.ts
 *     (canonicalRowHash: the canonical text of each value, chained through PostgreSQL's
 *     hash_bytes_extended), computed here; or NULL when a value is one this file leaves to the
 *     JavaScript function (rare forms: text with non-ASCII spaces around a number or a date, invalid
 *     UTF-8, a REAL where an exact number or a text is expected, ...). The SQL asks
 *     coalesce(cutover_recon_hash_n(...), cutover_recon_hash(...)), so every row gets the
 *     JavaScript answer when this file is unsure of it, and this file's answer only where it is
 *     the same (tested against the JavaScript side value by value).
 * cutover_recon_isum(h)  aggregate: the exact sum of INTEGER hashes or decimal TEXT hashes, as
 *     decimal TEXT ('0' for no rows), like the JavaScript cutover_recon_sum.
 *
 * Built by native/build.mjs at install time; loaded by src/reconcile/sqliteFunctions.ts.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* PostgreSQL's hash_bytes_extended (Bob Jenkins' lookup3), little-endian byte order.          */

#define ROT(x, k) (((x) << (k)) | ((x) >> (32 - (k))))
#define MIX(a, b, c)                       \
  do {                                     \
    a -= c; a ^= ROT(c, 4);  c += b;       \
    b -= a; b ^= ROT(a, 6);  a += c;       \
    c -= b; c ^= ROT(b, 8);  b += a;       \
    a -= c; a ^= ROT(c, 16); c += b;       \
    b -= a; b ^= ROT(a, 19); a += c;       \
    c -= b; c ^= ROT(b, 4);  b += a;       \
  } while (0)
#define FINAL(a, b, c)                     \
  do {                                     \
    c ^= b; c -= ROT(b, 14);               \
    a ^= c; a -= ROT(c, 11);               \
    b ^= a; b -= ROT(a, 25);               \
    c ^= b; c -= ROT(b, 16);               \
    a ^= c; a -= ROT(c, 4);                \
    b ^= a; b -= ROT(a, 14);               \
    c ^= b; c -= ROT(b, 24);               \
  } while (0)

static uint32_t load32(const unsigned char *k) {
  return (uint32_t)k[0] | ((uint32_t)k[1] << 8) | ((uint32_t)k[2] << 16) | ((uint32_t)k[3] << 24);
}

static uint64_t hash_bytes(const unsigned char *k, size_t length, uint64_t seed) {
  uint32_t a, b, c;
  size_t len = length;
  a = b = c = 0x9e3779b9u + (uint32_t)len + 3923095u;
  if (seed != 0) {
    a += (uint32_t)(seed >> 32);
    b += (uint32_t)seed;
    MIX(a, b, c);
  }
  while (len >= 12) {
    a += load32(k);
    b += load32(k + 4);
    c += load32(k + 8);
    MIX(a, b, c);
    k += 12;
    len -= 12;
  }
  switch (len) { /* the lowest byte of c is reserved for the length */
    case 11: c += (uint32_t)k[10] << 24; /* fall through */
    case 10: c += (uint32_t)k[9] << 16; /* fall through */
    case 9: c += (uint32_t)k[8] << 8; /* fall through */
    case 8: b += (uint32_t)k[7] << 24; /* fall through */
    case 7: b += (uint32_t)k[6] << 16; /* fall through */
    case 6: b += (uint32_t)k[5] << 8; /* fall through */
    case 5: b += k[4]; /* fall through */
    case 4: a += (uint32_t)k[3] << 24; /* fall through */
    case 3: a += (uint32_t)k[2] << 16; /* fall through */
    case 2: a += (uint32_t)k[1] << 8; /* fall through */
    case 1: a += k[0];
  }
  FINAL(a, b, c);
  return ((uint64_t)b << 32) | c;
}

/* XOR-ed into a step's seed when the value is NULL (pgHash.ts NULL_SEED). */
#define NULL_SEED 0x243f6a8885a308d3ull

/* ------------------------------------------------------------------------------------------ */
/* Canonical text (canonical.ts), into a growable buffer.                                       */

typedef struct {
  char *p;
  size_t len;
  size_t cap;
  char local[512];
} Out;

static void out_init(Out *o) {
  o->p = o->local;
  o->len = 0;
  o->cap = sizeof o->local;
}

static void out_free(Out *o) {
  if (o->p != o->local) sqlite3_free(o->p);
}

/* Room for n more bytes; 0 when out of memory. */
static int out_room(Out *o, size_t n) {
  if (o->len + n <= o->cap) return 1;
  size_t cap = (o->len + n) * 2;
  char *p = sqlite3_malloc64(cap);
  if (!p) return 0;
  memcpy(p, o->p, o->len);
  if (o->p != o->local) sqlite3_free(o->p);
  o->p = p;
  o->cap = cap;
  return 1;
}

static int out_put(Out *o, const void *s, size_t n) {
  if (!out_room(o, n)) return 0;
  memcpy(o->p + o->len, s, n);
  o->len += n;
  return 1;
}

static int out_str(Out *o, const char *s) { return out_put(o, s, strlen(s)); }

static int out_chars(Out *o, char ch, size_t n) {
  if (!out_room(o, n)) return 0;
  memset(o->p + o->len, ch, n);
  o->len += n;
  return 1;
}

/* Decimal digits of v (no sign) written backwards ending at end; returns the first. */
static char *digits_of(uint64_t v, char *end) {
  do {
    *--end = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v);
  return end;
}

static int out_i64(Out *o, int64_t v) {
  char tmp[24];
  char *end = tmp + sizeof tmp;
  char *start = digits_of(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, end);
  if (v < 0) *--start = '-';
  return out_put(o, start, (size_t)(end - start));
}

/* Zero-padded to at least `width` digits, like String(n).padStart(width, '0') for n >= 0. */
static int out_padded(Out *o, int64_t v, int width) {
  char tmp[24];
  char *end = tmp + sizeof tmp;
  char *start = digits_of((uint64_t)v, end);
  while (end - start < width) *--start = '0';
  return out_put(o, start, (size_t)(end - start));
}

static int out_hex(Out *o, const unsigned char *b, size_t n) {
  static const char digits[] = "0123456789abcdef";
  if (!out_room(o, n * 2)) return 0;
  for (size_t i = 0; i < n; i++) {
    o->p[o->len++] = digits[b[i] >> 4];
    o->p[o->len++] = digits[b[i] & 15];
  }
  return 1;
}

/* TAG + kind + ':' (canonical.ts tagged). */
static int out_tag(Out *o, char kind) {
  char t[3] = {1, kind, ':'};
  return out_put(o, t, 3);
}

/* Results of a canonical form. */
/* C_RAW: the canonical text is the value's own text (valid UTF-8), hashed where it lies. */
enum { C_TEXT = 0, C_NULL = 1, C_UNSURE = 2, C_NOMEM = 3, C_RAW = 4 };
#define PUT(x) \
  if (!(x)) return C_NOMEM

/* plainDecimal: digits x 10^-scale, no exponent, no leading or trailing zeros. */
static int plain_decimal(Out *o, const char *digits, size_t n, long scale, int negative) {
  while (n > 0 && *digits == '0') {
    digits++;
    n--;
  }
  if (n == 0) {
    PUT(out_str(o, "0"));
    return C_TEXT;
  }
  if (scale > 0) {
    size_t zeros = 0;
    while (zeros < n && digits[n - 1 - zeros] == '0') zeros++;
    size_t strip = zeros < (size_t)scale ? zeros : (size_t)scale;
    n -= strip;
    scale -= (long)strip;
  }
  if (scale < -100000 || scale > 100000) return C_UNSURE;
  if (negative) PUT(out_str(o, "-"));
  if (scale <= 0) {
    PUT(out_put(o, digits, n));
    PUT(out_chars(o, '0', (size_t)-scale));
  } else if (n <= (size_t)scale) {
    PUT(out_str(o, "0."));
    PUT(out_chars(o, '0', (size_t)scale - n));
    PUT(out_put(o, digits, n));
  } else {
    PUT(out_put(o, digits, n - (size_t)scale));
    PUT(out_str(o, "."));
    PUT(out_put(o, digits + n - (size_t)scale, (size_t)scale));
  }
  return C_TEXT;
}

/* roundedDecimal: x rounded to `precision` significant digits, half to even on its exact value. */
static int rounded_decimal(Out *o, double x, int precision) {
  if (isnan(x)) {
    PUT(out_str(o, "NaN"));
    return C_TEXT;
  }
  if (isinf(x)) {
    PUT(out_str(o, x > 0 ? "Infinity" : "-Infinity"));
    return C_TEXT;
  }
  if (x == 0) {
    PUT(out_str(o, "0"));
    return C_TEXT;
  }
  if (precision == 15) {
    /*
     * The usual values (amounts, ratios): the fewest decimals k for which m = x * 10^k is an
     * integer m below 10^15 whose m / 10^k reads back as x (IEEE division of exact operands is
     * correctly rounded, as strtod is). A decimal of at most 15 digits within half an ulp of x is
     * x rounded to 15 digits (the 15-digit grid is coarser than an ulp), as canonical.ts notes.
     */
    static const double powers[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double ax = fabs(x);
    for (int k = 0; k <= 22 && ax * powers[k] < 1e15; k++) {
      double m = nearbyint(ax * powers[k]);
      if (m / powers[k] == ax) {
        char tmp[24];
        char *end = tmp + sizeof tmp;
        char *start = digits_of((uint64_t)m, end);
        return plain_decimal(o, start, (size_t)(end - start), k, x < 0);
      }
    }
  }
  char tmp[64];
  /* glibc prints the exact binary value rounded in the current mode (to nearest, ties to even). */
  int n = snprintf(tmp, sizeof tmp, "%.*e", precision - 1, x);
  if (n <= 0 || n >= (int)sizeof tmp) return C_UNSURE;
  const char *s = tmp;
  int negative = 0;
  if (*s == '-') {
    negative = 1;
    s++;
  }
  char digits[32];
  size_t count = 0;
  while (*s && *s != 'e') {
    if (*s >= '0' && *s <= '9') {
      if (count >= sizeof digits) return C_UNSURE;
      digits[count++] = *s;
    }
    s++;
  }
  if (*s != 'e' || count != (size_t)precision) return C_UNSURE;
  long exponent = strtol(s + 1, NULL, 10);
  return plain_decimal(o, digits, count, (long)(precision - 1) - exponent, negative);
}

static int is_space(unsigned char c) { return c == ' ' || (c >= 9 && c <= 13); }

/* All bytes below 0x80. */
static int ascii(const unsigned char *s, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ull) return 0;
  }
  for (; i < n; i++)
    if (s[i] >= 0x80) return 0;
  return 1;
}

/* Well-formed UTF-8 (what a JavaScript string reads back as unchanged). */
static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) { /* eight ASCII bytes at a time */
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!(w & 0x8080808080808080ull)) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t extra;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + extra >= n) return 0;
    for (size_t j = 1; j <= extra; j++) {
      if ((s[i + j] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + j] & 0x3f);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    i += extra + 1;
  }
  return 1;
}

/* ASCII text without the ASCII spaces around it (JavaScript's trim on an ASCII string). */
static void trim(const unsigned char **s, size_t *n) {
  while (*n > 0 && is_space((*s)[0])) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && is_space((*s)[*n - 1])) (*n)--;
}

/* Lower-cased ASCII text equals `word`. */
static int word_is(const unsigned char *s, size_t n, const char *word) {
  size_t w = strlen(word);
  if (n != w) return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    if (c != (unsigned char)word[i]) return 0;
  }
  return 1;
}

/* specialNumber on ASCII text: 'NaN', 'Infinity', '-Infinity' or NULL. */
static const char *special_number(const unsigned char *s0, size_t n0) {
  const unsigned char *s = s0;
  size_t n = n0;
  trim(&s, &n);
  if (word_is(s, n, "nan")) return "NaN";
  if (word_is(s, n, "infinity") || word_is(s, n, "+infinity") || word_is(s, n, "inf") || word_is(s, n, "+inf"))
    return "Infinity";
  if (word_is(s, n, "-infinity") || word_is(s, n, "-inf")) return "-Infinity";
  return NULL;
}

/*
 * DECIMAL of canonical.ts on trimmed ASCII text: [+-]? digits* (. digits*)? ([eE] [+-]? 1-4 digits)?
 * with a digit somewhere before the exponent. Fills the parts; 0 when it is not one.
 */
typedef struct {
  int negative;
  const unsigned char *integer;
  size_t integer_len;
  const unsigned char *fraction;
  size_t fraction_len;
  long exponent;
} Decimal;

static int parse_decimal(const unsigned char *s, size_t n, Decimal *d) {
  size_t i = 0;
  d->negative = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) d->negative = s[i++] == '-';
  d->integer = s + i;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  d->integer_len = (size_t)(s + i - d->integer);
  d->fraction = s + i;
  d->fraction_len = 0;
  if (i < n && s[i] == '.') {
    i++;
    d->fraction = s + i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    d->fraction_len = (size_t)(s + i - d->fraction);
  }
  if (d->integer_len + d->fraction_len == 0) return 0;
  d->exponent = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    int negative = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') d->exponent = d->exponent * 10 + (s[i++] - '0');
    if (i == start || i - start > 4) return 0;
    if (negative) d->exponent = -d->exponent;
  }
  return i == n;
}

/* decimalText: the exact canonical decimal of decimal text (digits joined, scale from the parts). */
static int decimal_text(Out *o, const Decimal *d) {
  size_t n = d->integer_len + d->fraction_len;
  char local[256];
  char *digits = n <= sizeof local ? local : sqlite3_malloc64(n);
  if (!digits) return C_NOMEM;
  memcpy(digits, d->integer, d->integer_len);
  memcpy(digits + d->integer_len, d->fraction, d->fraction_len);
  int r = plain_decimal(o, digits, n, (long)d->fraction_len - d->exponent, d->negative);
  if (digits != local) sqlite3_free(digits);
  return r;
}

/* TAG 't:' + the value's own (ASCII) text: canonical.ts tagged('t', v). */
static int text_tagged(Out *o, const unsigned char *s, size_t n) {
  PUT(out_tag(o, 't'));
  PUT(out_put(o, s, n));
  return C_TEXT;
}

/* ---- dates and timestamps ---------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

static int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
  int64_t y = month <= 2 ? year - 1 : year;
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = floor_div(153 * (month > 2 ? month - 3 : month + 9) + 2, 5) + day - 1;
  int64_t doe = yoe * 365 + floor_div(yoe, 4) - floor_div(yoe, 100) + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int64_t *month, int64_t *day) {
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

#define MICROS_PER_DAY 86400000000LL
/* Days this file formats (years within +-2.7 million: no overflow anywhere). */
#define MAX_DAYS 1000000000LL

/* dateText: YYYY-MM-DD, years before 1 as YYYY-MM-DD BC (the ' BC' left to the caller). */
static int date_text(Out *o, int64_t days, int *bc) {
  int64_t y, m, d;
  civil_from_days(days, &y, &m, &d);
  *bc = y <= 0;
  PUT(out_padded(o, y > 0 ? y : 1 - y, 4));
  PUT(out_str(o, "-"));
  PUT(out_padded(o, m, 2));
  PUT(out_str(o, "-"));
  PUT(out_padded(o, d, 2));
  return C_TEXT;
}

/* Two decimal digits of 0 <= v < 100 at p. */
static void put2(char *p, int v) {
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
}

/* dateValue (date only) or timestampText, for an instant with micros in [0, one day). */
static int instant_text(Out *o, int64_t days, int64_t micros, int date_only) {
  if (days > MAX_DAYS || days < -MAX_DAYS) return C_UNSURE;
  if (micros >= 0 && micros < MICROS_PER_DAY) {
    /* years 1 to 9999, the usual ones: written in one go */
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y >= 1 && y <= 9999) {
      char b[32];
      put2(b, (int)(y / 100));
      put2(b + 2, (int)(y % 100));
      b[4] = '-';
      put2(b + 5, (int)m);
      b[7] = '-';
      put2(b + 8, (int)d);
      size_t n = 10;
      if (!(date_only && micros == 0)) {
        int64_t seconds = micros / 1000000;
        int64_t fraction = micros % 1000000;
        b[10] = ' ';
        put2(b + 11, (int)(seconds / 3600));
        b[13] = ':';
        put2(b + 14, (int)((seconds / 60) % 60));
        b[16] = ':';
        put2(b + 17, (int)(seconds % 60));
        n = 19;
        if (fraction) {
          b[19] = '.';
          for (int i = 25; i >= 20; i--) {
            b[i] = (char)('0' + (int)(fraction % 10));
            fraction /= 10;
          }
          n = 26;
          while (b[n - 1] == '0') n--;
        }
      }
      PUT(out_put(o, b, n));
      return C_TEXT;
    }
  }
  int bc;
  int r = date_text(o, days, &bc);
  if (r != C_TEXT) return r;
  if (date_only && micros == 0) {
    if (bc) PUT(out_str(o, " BC"));
    return C_TEXT;
  }
  int64_t seconds = micros / 1000000;
  int64_t fraction = micros % 1000000;
  PUT(out_str(o, " "));
  PUT(out_padded(o, seconds / 3600, 2));
  PUT(out_str(o, ":"));
  PUT(out_padded(o, (seconds / 60) % 60, 2));
  PUT(out_str(o, ":"));
  PUT(out_padded(o, seconds % 60, 2));
  if (fraction) {
    char tmp[6];
    for (int i = 5; i >= 0; i--) {
      tmp[i] = (char)('0' + (int)(fraction % 10));
      fraction /= 10;
    }
    size_t n = 6;
    while (n > 0 && tmp[n - 1] == '0') n--;
    PUT(out_str(o, "."));
    PUT(out_put(o, tmp, n));
  }
  if (bc) PUT(out_str(o, " BC"));
  return C_TEXT;
}

/* epochInstant of an integer: seconds below 1e11 in magnitude, else milliseconds. */
static int epoch_integer(Out *o, int64_t v, int date_only) {
  __int128 value = v;
  __int128 per_day = (v > -100000000000LL && v < 100000000000LL) ? 86400 : 86400000;
  __int128 days = value / per_day;
  if (days * per_day > value) days -= 1;
  int64_t rest = (int64_t)(value - days * per_day);
  int64_t micros = per_day == 86400 ? rest * 1000000 : rest * 1000;
  return instant_text(o, (int64_t)days, micros, date_only);
}

/* JavaScript's Math.round: to nearest, halves towards +Infinity. */
static double js_round(double x) {
  double r = floor(x);
  if (x - r >= 0.5) r += 1.0;
  return r;
}

/* epochInstant of a double, then instant(): the same floating point steps as canonical.ts. */
static int epoch_double(Out *o, double v, int date_only) {
  if (!isfinite(v) || fabs(v) >= 1e15) return C_UNSURE;
  int seconds = fabs(v) < 1e11;
  double per_day = seconds ? 86400.0 : 86400000.0;
  double days = floor(v / per_day);
  double micros = js_round((v - days * per_day) * (seconds ? 1e6 : 1e3));
  double carry = floor(micros / 86400000000.0);
  days += carry;
  micros -= carry * 86400000000.0;
  if (micros < 0 || micros >= 86400000000.0) return C_UNSURE;
  return instant_text(o, (int64_t)days, (int64_t)micros, date_only);
}

/* Digits at s[*i..] (at least min, at most max), as a number; 0 when there are fewer than min. */
static int digits_at(const unsigned char *s, size_t n, size_t *i, size_t min, size_t max, int64_t *value) {
  size_t start = *i;
  int64_t v = 0;
  while (*i < n && *i - start < max && s[*i] >= '0' && s[*i] <= '9') v = v * 10 + (s[(*i)++] - '0');
  if (*i - start < min) return 0;
  *value = v;
  return 1;
}

/*
 * parseIso of canonical.ts on ASCII text (ISO_DATETIME; \s is an ASCII space there):
 *   \s* Y{4,6} - M{1,2} - D{1,2} ( ([Tt]|\s+) h{1,2} : mm ( : ss ( [.,] f+ )? )? )? \s* (Z|z|UTC|[+-]hh(:?mm)?)? \s*
 * Returns 1 with the instant, or 0 when the text is not one (a digit run longer than a field
 * allows never matches: every field is followed by a non-digit or the end).
 */
static int parse_iso(const unsigned char *s, size_t n, int64_t *days_out, int64_t *micros_out) {
  size_t i = 0;
  int64_t year, month, day, hh = 0, mi = 0, ss = 0, fraction = 0, offset = 0;
  while (i < n && is_space(s[i])) i++;
  if (!digits_at(s, n, &i, 4, 6, &year) || i >= n || s[i] != '-') return 0;
  i++;
  if (!digits_at(s, n, &i, 1, 2, &month) || i >= n || s[i] != '-') return 0;
  i++;
  if (!digits_at(s, n, &i, 1, 2, &day)) return 0;
  if (i < n && s[i] >= '0' && s[i] <= '9') return 0;
  /* the time, if a separator and digits follow */
  size_t j = i;
  int separated = 0;
  if (j < n && (s[j] == 'T' || s[j] == 't')) {
    j++;
    separated = 1;
  } else {
    while (j < n && is_space(s[j])) j++;
    separated = j > i;
  }
  if (separated && j < n && s[j] >= '0' && s[j] <= '9') {
    size_t k = j;
    if (!digits_at(s, n, &k, 1, 2, &hh) || k >= n || s[k] != ':') return 0;
    k++;
    if (!digits_at(s, n, &k, 2, 2, &mi)) return 0;
    if (k < n && s[k] == ':') {
      k++;
      if (!digits_at(s, n, &k, 2, 2, &ss)) return 0;
      if (k < n && (s[k] == '.' || s[k] == ',')) {
        k++;
        size_t start = k;
        int nonzero = 0;
        while (k < n && s[k] >= '0' && s[k] <= '9') {
          if (s[k] != '0') nonzero = 1;
          k++;
        }
        size_t len = k - start;
        if (len == 0) return 0;
        for (size_t f = 0; f < 6; f++) fraction = fraction * 10 + (f < len ? s[start + f] - '0' : 0);
        if (len > 6 && s[start + 6] >= '5') fraction += 1;
        if (hh == 24 && nonzero) hh = 25; /* refused below, as 24:00 with a fraction is */
      }
    }
    if (k < n && s[k] >= '0' && s[k] <= '9') return 0;
    i = k;
  }
  while (i < n && is_space(s[i])) i++;
  if (i < n) {
    if (s[i] == 'Z' || s[i] == 'z') {
      i++;
    } else if (n - i >= 3 && s[i] == 'U' && s[i + 1] == 'T' && s[i + 2] == 'C') {
      i += 3;
    } else if (s[i] == '+' || s[i] == '-') {
      int negative = s[i] == '-';
      i++;
      int64_t oh, om = 0;
      if (!digits_at(s, n, &i, 2, 2, &oh)) return 0;
      if (i < n && s[i] == ':') {
        i++;
        if (!digits_at(s, n, &i, 2, 2, &om)) return 0;
      } else if (i < n && s[i] >= '0' && s[i] <= '9') {
        if (!digits_at(s, n, &i, 2, 2, &om)) return 0;
      }
      offset = (oh * 60 + om) * (negative ? -1 : 1);
    } else {
      return 0;
    }
  }
  while (i < n && is_space(s[i])) i++;
  if (i != n) return 0;
  int64_t days = days_from_civil(year, month, day);
  int64_t cy, cm, cd;
  civil_from_days(days, &cy, &cm, &cd);
  if (cy != year || cm != month || cd != day) return 0;
  if (mi > 59 || ss > 60 || hh > 24 || (hh == 24 && (mi || ss))) return 0;
  int64_t micros = (hh * 3600 + mi * 60 + ss - offset * 60) * 1000000 + fraction;
  int64_t carry = floor_div(micros, MICROS_PER_DAY);
  *days_out = days + carry;
  *micros_out = micros - carry * MICROS_PER_DAY;
  return 1;
}

/* timestampValue / dateValue of canonical.ts. */
static int temporal(Out *o, sqlite3_value *v, int date_only) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      return epoch_integer(o, sqlite3_value_int64(v), date_only);
    case SQLITE_FLOAT:
      return epoch_double(o, sqlite3_value_double(v), date_only);
    case SQLITE_TEXT: {
      const unsigned char *s = sqlite3_value_text(v);
      size_t n = (size_t)sqlite3_value_bytes(v);
      if (!s || !ascii(s, n)) return C_UNSURE;
      const unsigned char *t = s;
      size_t tn = n;
      trim(&t, &tn);
      if (word_is(t, tn, "infinity")) {
        PUT(out_str(o, "infinity"));
        return C_TEXT;
      }
      if (word_is(t, tn, "-infinity")) {
        PUT(out_str(o, "-infinity"));
        return C_TEXT;
      }
      int64_t days, micros;
      if (parse_iso(s, n, &days, &micros)) return instant_text(o, days, micros, date_only);
      return text_tagged(o, s, n);
    }
    case SQLITE_BLOB: {
      PUT(out_tag(o, 'x'));
      PUT(out_hex(o, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v)));
      return C_TEXT;
    }
    default:
      return C_UNSURE;
  }
}

/* 32 lower-case hex digits as 8-4-4-4-12. */
static int uuid_text(Out *o, const char *hex) {
  char b[36];
  memcpy(b, hex, 8);
  b[8] = '-';
  memcpy(b + 9, hex + 8, 4);
  b[13] = '-';
  memcpy(b + 14, hex + 12, 4);
  b[18] = '-';
  memcpy(b + 19, hex + 16, 4);
  b[23] = '-';
  memcpy(b + 24, hex + 20, 12);
  PUT(out_put(o, b, sizeof b));
  return C_TEXT;
}

/* ---- one value ----------------------------------------------------------------------------- */

enum { K_N, K_F15, K_F6, K_B, K_D, K_TS, K_T, K_U, K_X, K_A };

static int text_of(sqlite3_value *v, const unsigned char **s, size_t *n) {
  *s = sqlite3_value_text(v);
  *n = (size_t)sqlite3_value_bytes(v);
  return *s != NULL || *n == 0;
}

static int blob_tagged(Out *o, sqlite3_value *v) {
  PUT(out_tag(o, 'x'));
  PUT(out_hex(o, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v)));
  return C_TEXT;
}

/* floatNumber of canonical.ts. */
static int float_number(Out *o, sqlite3_value *v, int precision) {
  double x;
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      x = (double)sqlite3_value_int64(v);
      break;
    case SQLITE_FLOAT:
      x = sqlite3_value_double(v);
      break;
    case SQLITE_TEXT: {
      const unsigned char *s;
      size_t n;
      if (!text_of(v, &s, &n) || !ascii(s, n)) return C_UNSURE;
      const char *special = special_number(s, n);
      if (special) {
        PUT(out_str(o, special));
        return C_TEXT;
      }
      const unsigned char *t = s;
      size_t tn = n;
      trim(&t, &tn);
      Decimal d;
      if (!parse_decimal(t, tn, &d)) {
        return text_tagged(o, s, n);
      }
      char local[128];
      if (tn >= sizeof local) return C_UNSURE;
      memcpy(local, t, tn);
      local[tn] = 0;
      x = strtod(local, NULL); /* correctly rounded, like Number() */
      break;
    }
    case SQLITE_BLOB:
      return blob_tagged(o, v);
    default:
      return C_UNSURE;
  }
  if (precision == 6) x = (double)(float)x;
  return rounded_decimal(o, x, precision);
}

static int canonical(Out *o, int code, sqlite3_value *v) {
  int type = sqlite3_value_type(v);
  if (type == SQLITE_NULL) return C_NULL;
  const unsigned char *s;
  size_t n;
  switch (code) {
    case K_N: /* exactNumber */
      if (type == SQLITE_INTEGER) {
        PUT(out_i64(o, sqlite3_value_int64(v)));
        return C_TEXT;
      }
      if (type == SQLITE_FLOAT) {
        double x = sqlite3_value_double(v);
        return isfinite(x) ? C_UNSURE : rounded_decimal(o, x, 15);
      }
      if (type == SQLITE_BLOB) return blob_tagged(o, v);
      if (!text_of(v, &s, &n) || !ascii(s, n)) return C_UNSURE;
      {
        const unsigned char *t = s;
        size_t tn = n;
        trim(&t, &tn);
        Decimal d;
        if (parse_decimal(t, tn, &d)) return decimal_text(o, &d);
        const char *special = special_number(s, n);
        if (special) {
          PUT(out_str(o, special));
          return C_TEXT;
        }
        return text_tagged(o, s, n);
      }
    case K_F15:
      return float_number(o, v, 15);
    case K_F6:
      return float_number(o, v, 6);
    case K_B: /* booleanText */
      if (type == SQLITE_INTEGER) {
        PUT(out_str(o, sqlite3_value_int64(v) == 0 ? "false" : "true"));
        return C_TEXT;
      }
      if (type == SQLITE_FLOAT) {
        PUT(out_str(o, sqlite3_value_double(v) == 0 ? "false" : "true"));
        return C_TEXT;
      }
      if (type == SQLITE_BLOB) return blob_tagged(o, v);
      if (!text_of(v, &s, &n) || !ascii(s, n)) return C_UNSURE;
      {
        const unsigned char *t = s;
        size_t tn = n;
        trim(&t, &tn);
        static const char *yes[] = {"t", "true", "y", "yes", "on", "1"};
        static const char *no[] = {"f", "false", "n", "no", "off", "0"};
        for (int i = 0; i < 6; i++) {
          if (word_is(t, tn, yes[i])) {
            PUT(out_str(o, "true"));
            return C_TEXT;
          }
          if (word_is(t, tn, no[i])) {
            PUT(out_str(o, "false"));
            return C_TEXT;
          }
        }
        return text_tagged(o, s, n);
      }
    case K_D:
      return temporal(o, v, 1);
    case K_TS:
      return temporal(o, v, 0);
    case K_U: /* uuidValue */
      if (type == SQLITE_INTEGER) {
        PUT(out_tag(o, 't'));
        PUT(out_i64(o, sqlite3_value_int64(v)));
        return C_TEXT;
      }
      if (type == SQLITE_BLOB) {
        if (sqlite3_value_bytes(v) != 16) return C_UNSURE;
        char hex[33];
        const unsigned char *b = sqlite3_value_blob(v);
        static const char xdigits[] = "0123456789abcdef";
        for (int i = 0; i < 16; i++) {
          hex[2 * i] = xdigits[b[i] >> 4];
          hex[2 * i + 1] = xdigits[b[i] & 15];
        }
        return uuid_text(o, hex);
      }
      if (type != SQLITE_TEXT || !text_of(v, &s, &n) || !ascii(s, n)) return C_UNSURE;
      {
        const unsigned char *t = s;
        size_t tn = n;
        trim(&t, &tn);
        char hex[33];
        size_t count = 0;
        int ok = 1;
        for (size_t i = 0; i < tn && ok; i++) {
          unsigned char c = t[i];
          if (c == '{' || c == '}' || c == '-') continue;
          if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
          if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || count >= 32) ok = 0;
          else hex[count++] = (char)c;
        }
        if (!ok || count != 32) {
          return text_tagged(o, s, n);
        }
        return uuid_text(o, hex);
      }
    case K_X: /* bytesValue */
      if (type == SQLITE_BLOB) {
        PUT(out_hex(o, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v)));
        return C_TEXT;
      }
      if (type == SQLITE_INTEGER) {
        PUT(out_tag(o, 'n'));
        PUT(out_i64(o, sqlite3_value_int64(v)));
        return C_TEXT;
      }
      if (type != SQLITE_TEXT || !text_of(v, &s, &n) || !valid_utf8(s, n)) return C_UNSURE;
      PUT(out_hex(o, s, n));
      return C_TEXT;
    case K_T: /* textValue */
    case K_A: /* anyValue */
      if (type == SQLITE_INTEGER) {
        PUT(out_i64(o, sqlite3_value_int64(v)));
        return C_TEXT;
      }
      if (type == SQLITE_FLOAT) return code == K_A ? rounded_decimal(o, sqlite3_value_double(v), 15) : C_UNSURE;
      if (type == SQLITE_BLOB) return blob_tagged(o, v);
      return text_of(v, &s, &n) && valid_utf8(s, n) ? C_RAW : C_UNSURE;
    default:
      return C_UNSURE;
  }
}

/* ---- the functions ------------------------------------------------------------------------- */

typedef struct {
  int count;
  unsigned char codes[];
} Spec;

static Spec *parse_spec(const unsigned char *s, int n) {
  int count = 1;
  for (int i = 0; i < n; i++)
    if (s[i] == ',') count++;
  Spec *spec = sqlite3_malloc64(sizeof(Spec) + (size_t)count);
  if (!spec) return NULL;
  spec->count = 0;
  int start = 0;
  for (int i = 0; i <= n; i++) {
    if (i < n && s[i] != ',') continue;
    const unsigned char *w = s + start;
    int len = i - start;
    int code = -1;
#define IS(word) (len == (int)strlen(word) && memcmp(w, word, (size_t)len) == 0)
    if (IS("n")) code = K_N;
    else if (IS("f15")) code = K_F15;
    else if (IS("f6")) code = K_F6;
    else if (IS("b")) code = K_B;
    else if (IS("d")) code = K_D;
    else if (IS("ts")) code = K_TS;
    else if (IS("t")) code = K_T;
    else if (IS("u")) code = K_U;
    else if (IS("x")) code = K_X;
    else if (IS("a")) code = K_A;
#undef IS
    if (code < 0) {
      sqlite3_free(spec);
      return NULL;
    }
    spec->codes[spec->count++] = (unsigned char)code;
    start = i + 1;
  }
  return spec;
}

static void hash_n(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  if (argc < 1 || sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
    sqlite3_result_error(ctx, "cutover_recon_hash_n: the spec must be text", -1);
    return;
  }
  /* The spec is parsed once per statement (kept as the argument's auxiliary data). */
  Spec *spec = sqlite3_get_auxdata(ctx, 0);
  Spec *own = NULL;
  if (!spec) {
    spec = parse_spec(sqlite3_value_text(argv[0]), sqlite3_value_bytes(argv[0]));
    if (!spec) {
      sqlite3_result_error(ctx, "cutover_recon_hash_n: bad row hash spec", -1);
      return;
    }
    sqlite3_set_auxdata(ctx, 0, spec, sqlite3_free);
    spec = sqlite3_get_auxdata(ctx, 0);
    if (!spec) { /* not kept: parse once more for this call */
      spec = own = parse_spec(sqlite3_value_text(argv[0]), sqlite3_value_bytes(argv[0]));
      if (!spec) {
        sqlite3_result_error_nomem(ctx);
        return;
      }
    }
  }
  if (spec->count != argc - 1) {
    sqlite3_free(own);
    sqlite3_result_error(ctx, "cutover_recon_hash_n: the spec does not match the values", -1);
    return;
  }
  uint64_t seed = 0;
  Out o;
  out_init(&o);
  for (int i = 0; i < spec->count; i++) {
    sqlite3_value *v = argv[i + 1];
    int code = spec->codes[i];
    o.len = 0;
    int r = canonical(&o, code, v);
    if (r == C_RAW) {
      seed = hash_bytes(sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v), seed);
      continue;
    }
    if (r == C_NOMEM) {
      out_free(&o);
      sqlite3_free(own);
      sqlite3_result_error_nomem(ctx);
      return;
    }
    if (r == C_UNSURE) {
      out_free(&o);
      sqlite3_free(own);
      sqlite3_result_null(ctx);
      return;
    }
    if (r == C_NULL) {
      seed ^= NULL_SEED;
      seed = hash_bytes((const unsigned char *)"", 0, seed);
    } else {
      seed = hash_bytes((const unsigned char *)o.p, o.len, seed);
    }
  }
  out_free(&o);
  sqlite3_free(own);
  sqlite3_result_int64(ctx, (sqlite3_int64)seed);
}

/* The running total, as bytes: SQLite's aggregate context is only 8-byte aligned, __int128 needs 16. */
typedef struct {
  unsigned char total[sizeof(__int128)];
} Sum;

static void sum_add(Sum *sum, int64_t h) {
  __int128 total;
  memcpy(&total, sum->total, sizeof total);
  total += h;
  memcpy(sum->total, &total, sizeof total);
}

static void isum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  Sum *sum = sqlite3_aggregate_context(ctx, sizeof(Sum));
  if (!sum) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER:
      sum_add(sum, sqlite3_value_int64(argv[0]));
      return;
    case SQLITE_TEXT: {
      const char *s = (const char *)sqlite3_value_text(argv[0]);
      char *end;
      long long h = strtoll(s, &end, 10);
      if (end != s && *end == 0) {
        sum_add(sum, h);
        return;
      }
      break;
    }
  }
  sqlite3_result_error(ctx, "cutover_recon_isum: a row hash must be an integer", -1);
}

static void isum_final(sqlite3_context *ctx) {
  Sum *sum = sqlite3_aggregate_context(ctx, 0);
  __int128 total = 0;
  if (sum) memcpy(&total, sum->total, sizeof total);
  char tmp[48];
  int pos = sizeof tmp;
  tmp[--pos] = 0;
  int negative = total < 0;
  unsigned __int128 u = negative ? -(unsigned __int128)total : (unsigned __int128)total;
  do {
    tmp[--pos] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u);
  if (negative) tmp[--pos] = '-';
  sqlite3_result_text(ctx, tmp + pos, -1, SQLITE_TRANSIENT);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_cutoverrecon_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  (void)error;
  SQLITE_EXTENSION_INIT2(api);
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function(db, "cutover_recon_hash_n", -1, flags, NULL, hash_n, NULL, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "cutover_recon_isum", 1, flags, NULL, NULL, isum_step, isum_final);
  return rc;
}
