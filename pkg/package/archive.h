/* The package container: a POSIX pax tar archive holding pouch.json and then attachments/NAME,
 * one entry per attachment (spec/envelope.md section 3). Writing streams attachments from disk;
 * extracting refuses everything but that layout and streams the attachments into a directory. */
#ifndef POUCH_ARCHIVE_H
#define POUCH_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define POUCH_ARCHIVE_MANIFEST "pouch.json" /* the first entry */
#define POUCH_ARCHIVE_DIR "attachments/"    /* the prefix of every later entry */
#define POUCH_ARCHIVE_NAME_MAX 255          /* bytes in an attachment name */
#define POUCH_ARCHIVE_CHUNK (64 * 1024)     /* bytes read or written at a time */
#define POUCH_ARCHIVE_BLOCK (1024 * 1024)   /* bytes of archive read at a time */

/* Checks an attachment base name: not empty, not "." or "..", no '/' or '\', valid UTF-8,
 * no control characters (0x00-0x1f, 0x7f, U+0080-U+009F), none of the bidirectional,
 * invisible and format characters of pouch_unicode_is_hidden, not starting with '-' or a
 * space, not ending with a dot or a space (Unicode spaces included), at most
 * POUCH_ARCHIVE_NAME_MAX bytes. Other spaces and UTF-8 characters are allowed. The writer,
 * the extractor, pack and open all use this one check. Returns 0 or POUCH_E_REFUSED, the
 * message naming the (escaped) name and the reason. */
int pouch_archive_name_check(const char *name, struct pouch_err *err);

/* The key two attachment names are compared by: equal keys are one name. Case-folded over all
 * of Unicode, fullwidth ASCII as ASCII, a precomposed character as its base character,
 * combining accents, joiners and variation selectors left out, Hangul syllables as their
 * jamo: names that a case-insensitive or normalising file system, or a reader, takes for one.
 * Returns a new string (caller frees) or NULL when out of memory. */
char *pouch_archive_name_key(const char *name);

/* A set of attachment names, unique by pouch_archive_name_key. Zero-initialise; release with
 * pouch_archive_names_release. name[i] and key[i] are the set's own copies. */
struct pouch_archive_names {
	char **name;
	char **key;
	size_t n;
};

/* Adds a copy of name, unless its key equals an earlier name's: then *clash (when clash is not
 * NULL) is that name (the set's) and the set is unchanged. Returns 0, POUCH_E_REFUSED ("the
 * name of attachment 'X' differs only in case or not at all from 'Y' ...") or POUCH_E_NOMEM. */
int pouch_archive_names_add(struct pouch_archive_names *s, const char *name, const char **clash,
			    struct pouch_err *err);

/* The name in s that is one with name (by key), or NULL. */
const char *pouch_archive_names_find(const struct pouch_archive_names *s, const char *name);

/* Frees the set's names and keys, leaving it empty (NULL-safe members). */
void pouch_archive_names_release(struct pouch_archive_names *s);

/* Writing. The writer produces a reproducible archive: every entry is a regular file with mode
 * 0600, mtime 0, uid and gid 0 and empty user and group names, so the same inputs give the same
 * bytes. Call, in this order: pouch_archive_writer_new, pouch_archive_add_manifest once, any
 * number of pouch_archive_add_file / pouch_archive_add_bytes, pouch_archive_writer_finish, and
 * always pouch_archive_writer_free. A call that fails after it started writing an entry (an I/O
 * error, or a file that changed while being read) leaves the writer failed: every later call
 * returns POUCH_E_IO and the output must be discarded. A refused argument (bad or duplicate
 * name, missing file) writes nothing and leaves the writer usable. */
struct pouch_archive_writer;

/* Starts an archive written to fd, which stays the caller's (never closed here) and must stay
 * open until pouch_archive_writer_finish. On success *out is a new writer for
 * pouch_archive_writer_free. Returns 0, POUCH_E_NOMEM or POUCH_E_IO. */
int pouch_archive_writer_new(int fd, struct pouch_archive_writer **out, struct pouch_err *err);

/* Writes the len bytes at buf (borrowed) as the first entry, pouch.json. Returns 0,
 * POUCH_E_USAGE when the manifest was already added or the writer finished, or POUCH_E_IO. */
int pouch_archive_add_manifest(struct pouch_archive_writer *w, const void *buf, size_t len,
			       struct pouch_err *err);

/* Writes the len bytes at buf (borrowed) as the attachment attachments/NAME. name is the base
 * name (see pouch_archive_name_check); names must be unique by pouch_archive_name_key.
 * Returns 0, POUCH_E_REFUSED (bad or duplicate name), POUCH_E_USAGE (no manifest yet, or
 * finished) or POUCH_E_IO. */
int pouch_archive_add_bytes(struct pouch_archive_writer *w, const char *name, const void *buf,
			    size_t len, struct pouch_err *err);

/* Streams the regular file at path (a symbolic link is followed) into the archive as the
 * attachment attachments/NAME, POUCH_ARCHIVE_CHUNK bytes at a time; the file is never held
 * whole in memory. name as for pouch_archive_add_bytes. When chunk is not NULL it is called
 * with ctx for every chunk once it was written to the archive, in file order, so the caller
 * can hash exactly the bytes archived (chunk may not call back into the writer; buf is valid
 * only during the call). When size is not NULL it receives the number of bytes archived.
 * Returns 0, POUCH_E_REFUSED (bad or duplicate name), POUCH_E_NOTFOUND (no file at path),
 * POUCH_E_USAGE (no manifest yet, or finished) or POUCH_E_IO (not a regular file, a read or
 * write error, or the file changed size while being read). */
int pouch_archive_add_file(struct pouch_archive_writer *w, const char *name, const char *path,
			   void (*chunk)(void *ctx, const void *buf, size_t len), void *ctx,
			   uint64_t *size, struct pouch_err *err);

/* Ends the archive (writes the end-of-archive blocks and flushes to fd). Returns 0,
 * POUCH_E_USAGE when no manifest was added or it already finished, or POUCH_E_IO. */
int pouch_archive_writer_finish(struct pouch_archive_writer *w, struct pouch_err *err);

/* Frees w (NULL is fine). An unfinished archive is abandoned: nothing more is written. */
void pouch_archive_writer_free(struct pouch_archive_writer *w);

/* Extraction limits, all inclusive. */
struct pouch_archive_limits {
	uint64_t max_total;  /* bytes of content in all entries, pouch.json included */
	size_t max_entries;  /* entries, pouch.json included */
	size_t max_manifest; /* bytes of pouch.json */
};

/* An attachment as pouch.json lists it. */
struct pouch_archive_file {
	const char *name;
	uint64_t size;
	const char *sha256; /* lower-case hex */
};

/* Reads a tar stream from fd (the caller's; read up to the end-of-archive blocks, not closed
 * here) and extracts it. Only the plain tar formats are read (pax, ustar, GNU), never a
 * compressed stream. The first entry must be exactly pouch.json, a regular file of at most
 * lim->max_manifest bytes: on success it is returned in *manifest (NUL-terminated, caller
 * frees; *manifest_len without the NUL). Once pouch.json is read, before any attachment is,
 * list(ctx, manifest, len, &files, &n, err) gives the attachments it lists (files kept by the
 * caller until this call returns; a negative return ends extraction with that code). They
 * must have valid names (pouch_archive_name_check), unique by pouch_archive_name_key, and
 * the archive must hold exactly them, in that order: every later
 * entry a regular file (no links, directories, devices, FIFOs or sparse files) named
 * attachments/NAME for the next listed NAME, of its listed size (checked before the file is
 * created), with its listed SHA-256 (checked as it is streamed into the new file dir/NAME,
 * created exclusively, never through a symbolic link, mode 0600); no entry more, none fewer,
 * none twice. Bytes are counted as they are read, against lim->max_total. The archive must end
 * with the end-of-archive blocks: a truncated or empty stream is refused.
 * dir must be an existing empty directory (not a symbolic link); no file is created outside it.
 * On failure *manifest is NULL and every file this call created in dir is removed again (dir
 * itself stays). Returns 0, what list returned, POUCH_E_REFUSED (a malformed or hostile
 * archive, a list the archive does not match, or a limit exceeded; the message names the
 * entry), POUCH_E_USAGE (dir not empty), POUCH_E_IO (reading fd or writing in dir failed) or
 * POUCH_E_NOMEM. */
int pouch_archive_extract(int fd, const char *dir, const struct pouch_archive_limits *lim,
			  int (*list)(void *ctx, const char *manifest, size_t len,
				      const struct pouch_archive_file **files, size_t *n,
				      struct pouch_err *err),
			  void *ctx, char **manifest, size_t *manifest_len, struct pouch_err *err);

/* The version of the libarchive library in use (static string). */
const char *pouch_archive_version(void);

#endif
