/* Web archives as input (ISO 28500, WARC/1.0 and 1.1): the walk over a
 * .warc or .warc.gz file, one record at a time, and the HTTP response a
 * `response` record holds. The parsers take no plan and print nothing, so
 * the unit tests drive them alone (tests/cli/test_warc.c). */
#ifndef GALLEY_CLI_WARC_H
#define GALLEY_CLI_WARC_H

#include <stddef.h>
#include <stdint.h>

/* The most a WARC or HTTP header block may take. */
#define WARC_MAX_HEADER ((size_t)64 << 10)

typedef struct warc_file warc_file;

/* One record. Strings are malloc'd (NULL when the header is absent);
 * warc_rec_clear frees them. */
typedef struct warc_rec {
  uint64_t offset;    /* of the record, or of its gzip member: what CDX says */
  uint64_t nth;       /* records before it in its gzip member (0: the first) */
  char version[16];   /* "1.0", "1.1" */
  char *type;         /* WARC-Type, lower case */
  char *uri;          /* WARC-Target-URI, without <> */
  char *id;           /* WARC-Record-ID */
  char *date;         /* WARC-Date */
  char *content_type; /* Content-Type of the block */
  uint64_t length;    /* Content-Length: bytes of the block */
  unsigned char *block; /* the block, length bytes; NULL when too_big */
  int too_big;          /* over the limit: its header only was kept */
} warc_rec;

/* Whether `path` is named as a web archive (.warc, .warc.gz). */
int warc_is_path(const char *path);
/* Opens `path` for a walk; each record's block may take `limit` bytes (0:
 * no limit). 0, or -1 with the reason in `why`. */
int warc_open(const char *path, size_t limit, warc_file **out, char *why,
              size_t why_size);
/* Moves the walk to `offset` (a record, or a gzip member, starts there).
 * 0, or -1 with the reason in `why`. */
int warc_seek(warc_file *w, uint64_t offset, char *why, size_t why_size);
/* The next record into `r` (cleared first): 1 with a record, 0 at the
 * end, -1 for a record that is corrupt or cut short, with what and where
 * in `why` ("record at offset N: ..."); the next call goes on after it
 * (at the next gzip member of a .warc.gz, at the next "WARC/" line of a
 * .warc), or returns 0 when nothing follows. */
int warc_next(warc_file *w, warc_rec *r, char *why, size_t why_size);
void warc_rec_clear(warc_rec *r);
void warc_close(warc_file *w);

/* An HTTP response, parsed: its status, the Content-Type's media type
 * (lower case) and charset (NULL when absent), and the body with the
 * transfer and content encodings undone. */
typedef struct warc_http {
  int status;
  char *media_type, *charset;
  unsigned char *body; /* malloc'd */
  size_t body_len;
} warc_http;

/* Parses `block` as an HTTP response; the decoded body may take `limit`
 * bytes (0: no limit). 0, or -1 with the reason in `why` (and *too_big
 * when the decoded body is over the limit). */
int warc_http_parse(const unsigned char *block, size_t n, size_t limit,
                    warc_http *h, int *too_big, char *why, size_t why_size);
void warc_http_clear(warc_http *h);

#endif
