/* Base64 and SHA-256 for resource bytes. libxml2 has neither as a public
 * function and galley links no crypto library; both are small and fixed by
 * their standards (RFC 4648, FIPS 180-4), so they are written here. */
#include <string.h>

#include "xmlform.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t gx_base64_encoded_size(size_t len) { return (len + 2) / 3 * 4; }

void gx_base64_encode(const unsigned char *in, size_t len, char *out) {
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    *out++ = b64_alphabet[v >> 18];
    *out++ = b64_alphabet[(v >> 12) & 63];
    *out++ = b64_alphabet[(v >> 6) & 63];
    *out++ = b64_alphabet[v & 63];
  }
  if (i < len) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)in[i + 1] << 8;
    *out++ = b64_alphabet[v >> 18];
    *out++ = b64_alphabet[(v >> 12) & 63];
    *out++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
    *out++ = '=';
  }
}

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

bool gx_base64_decode(const char *in, size_t len, unsigned char *out,
                      size_t *out_len) {
  uint32_t acc = 0;
  int quad = 0; /* sextets in the current group of four */
  int padding = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
      continue;
    if (c == '=') {
      /* Padding only completes a group of two or three sextets. */
      if (quad + padding < 2)
        return false;
      padding++;
      if (quad + padding > 4)
        return false;
      continue;
    }
    int v = b64_value(c);
    if (v < 0 || padding)
      return false;
    acc = acc << 6 | (uint32_t)v;
    if (++quad == 4) {
      out[n++] = (unsigned char)(acc >> 16);
      out[n++] = (unsigned char)(acc >> 8);
      out[n++] = (unsigned char)acc;
      acc = 0;
      quad = 0;
    }
  }
  if (quad == 1 || (padding && quad + padding != 4))
    return false;
  if (quad == 2) {
    out[n++] = (unsigned char)(acc >> 4);
  } else if (quad == 3) {
    out[n++] = (unsigned char)(acc >> 10);
    out[n++] = (unsigned char)(acc >> 2);
  }
  *out_len = n;
  return true;
}

/* ---- SHA-256 ---- */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, unsigned n) { return x >> n | x << (32 - n); }

static void sha_block(uint32_t h[8], const unsigned char *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
           k = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
                  ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
    uint32_t t2 =
        (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

void gx_sha256_hex(const unsigned char *data, size_t len, char out[65]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t i = 0;
  for (; len - i >= 64; i += 64)
    sha_block(h, data + i);
  /* The tail, the 0x80 marker and the bit length fill one or two blocks. */
  unsigned char tail[128] = {0};
  size_t rest = len - i;
  if (rest)
    memcpy(tail, data + i, rest);
  tail[rest] = 0x80;
  size_t blocks = rest + 9 <= 64 ? 1 : 2;
  uint64_t bits = (uint64_t)len * 8;
  for (int b = 0; b < 8; b++)
    tail[blocks * 64 - 1 - b] = (unsigned char)(bits >> (8 * b));
  sha_block(h, tail);
  if (blocks == 2)
    sha_block(h, tail + 64);
  static const char hex[] = "0123456789abcdef";
  for (int j = 0; j < 8; j++)
    for (int b = 0; b < 4; b++) {
      unsigned char byte = (unsigned char)(h[j] >> (24 - 8 * b));
      out[8 * j + 2 * b] = hex[byte >> 4];
      out[8 * j + 2 * b + 1] = hex[byte & 15];
    }
  out[64] = '\0';
}
