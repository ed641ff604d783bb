/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state files; see state.h.  A text, one record a line, the name last
 * so that it may hold spaces:
 *
 *	procpower-state 3 TIME
 *	seq SAVES
 *	unattributed JOULES
 *	ids KIND NEXT_ID
 *	source JOULES NAME
 *	counter LAST_READING TIME NAME
 *	agg KIND ID JOULES LAST_ACTIVE NAME
 *	cpu BUSY_MS BOOTTIME
 *	proc PID START CPU_MS
 *	seen PID BEGIN
 *	end CHECKSUM
 *
 * LAST_ACTIVE is "-" for an aggregate a live process holds (active at
 * TIME): its line then stays the same from one write to the next while
 * its energy does, and is copied from the last text instead of formatted
 * again.  SAVES counts the saves across restarts: the newer file is
 * the one with more, whatever the clock did (files without it are told
 * apart by TIME).  NEXT_ID is the id the next new aggregate of a kind gets, so
 * that no id is given to two names across restarts.  CHECKSUM is a 64-bit
 * hash of every byte before the "end" line (8 bytes at a time), in hex.
 * Versions 1 (no "end" line) and 2 (a 32-bit FNV-1a, bytewise) are still
 * read.  Written after
 * every cycle and before that cycle's snapshot is published, so a counter
 * never goes back after a restart, even one by SIGKILL; in place, with no
 * temporary file, rename or open per cycle (those cost the agent more
 * than its whole sampling cycle at 5,000 processes).  Processes are left
 * out: a process's counter restarting with its instance is what PCP
 * clients expect.  A counter source's last reading (in joules) and its
 * time let the first cycle after a restart carry the energy of the gap;
 * the machine's busy CPU counter ("cpu") and each live process's start
 * and CPU time ("proc", in pmda-proc's order) let it
 * share that energy with the processes that lived through the gap; the
 * exit records counted that began in TIME's second ("seen") keep those
 * from being counted for the gap again.  A
 * process's line, like an aggregate's, is copied from the last text when
 * it would say the same (an idle process's does).  Older versions of the
 * agent pass over lines they do not know.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC		"procpower-state "
#define VERSION		3
#define MAXSTATE	(64 << 20)	/* a larger file is not ours */
#define SHRINK_FROM	(64 << 10)	/* files this small keep their room */

void
pp_state_file_init(pp_state_file *f)
{
    memset(f, 0, sizeof(*f));
    f->fd[0] = f->fd[1] = -1;
}

static void
unmap_slot(pp_state_file *f, int slot)
{
    if (f->map[slot] != NULL)
	munmap(f->map[slot], f->mapped[slot]);
    f->map[slot] = NULL;
    f->mapped[slot] = 0;
}

void
pp_state_file_close(pp_state_file *f)
{
    int i;

    for (i = 0; i < 2; i++) {
	unmap_slot(f, i);
	if (f->fd[i] >= 0)
	    close(f->fd[i]);
    }
    free(f->buf);
    free(f->prev);
    free(f->lines);
    free(f->prev_lines);
    pp_state_file_init(f);
}

/* version 3's: FNV-1a's constants over 8-byte words, mixed */
static uint64_t
checksum64(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull, w;

    for (; n >= 8; p += 8, n -= 8) {
	memcpy(&w, p, 8);
	h = (h ^ w) * 1099511628211ull;
	h ^= h >> 29;
    }
    while (n-- > 0)
	h = (h ^ (unsigned char)*p++) * 1099511628211ull;
    return h;
}

/* version 2's */
static uint32_t
checksum(const char *p, size_t n)
{
    uint32_t h = 2166136261u;

    while (n-- > 0) {
	h ^= (unsigned char)*p++;
	h *= 16777619u;
    }
    return h;
}

static void
slot_path(char *buf, size_t len, const char *path, int slot)
{
    snprintf(buf, len, slot ? "%s.1" : "%s", path);
}

/* room for n more bytes; 0 or -ENOMEM */
static int
reserve(pp_state_file *f, size_t n)
{
    char *nb;
    size_t want;

    if (f->len + n <= f->max)
	return 0;
    want = (f->max ? f->max * 2 : 4096) + n;
    if ((nb = realloc(f->buf, want)) == NULL)
	return -ENOMEM;
    f->buf = nb;
    f->max = want;
    return 0;
}

/* append printf-style to f->buf, growing it; 0 or -errno */
static int
add(pp_state_file *f, const char *fmt, ...)
{
    va_list ap;
    int n, sts;

    for (;;) {
	size_t room = f->max - f->len;
	va_start(ap, fmt);
	n = vsnprintf(f->buf ? f->buf + f->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
	    return -EINVAL;
	if ((size_t)n < room) {
	    f->len += (size_t)n;
	    return 0;
	}
	if ((sts = reserve(f, (size_t)n + 1)) < 0)
	    return sts;
    }
}

static int
add_bytes(pp_state_file *f, const char *p, size_t n)
{
    int sts = reserve(f, n);

    if (sts == 0) {
	memcpy(f->buf + f->len, p, n);
	f->len += n;
    }
    return sts;
}

static int
add_text(pp_state_file *f, const char *text)
{
    return add_bytes(f, text, strlen(text));
}

/* 2^53: below it, units of the last digit are exact in a double */
#define EXACT_UNITS	9007199254740992.0

double
pp_state_joules(double v)
{
    if (!(v >= 0) || v * 1e6 >= EXACT_UNITS)
	return v;
    return (double)llround(v * 1e6) / 1e6;
}

/*
 * v with `decimals` digits after the point, then `sep`: what "%.*f" gives
 * for the values a state holds (not negative, below 2^53 units of the
 * last digit), by integer arithmetic at a tenth of printf's cost; printf
 * for the rest.
 */
static int
add_fixed(pp_state_file *f, double v, int decimals, char sep)
{
    static const double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
    char digits[32], *d = digits + sizeof(digits);
    unsigned long long units;
    int k;

    if (!(v >= 0) || decimals > 6 || v * scale[decimals] >= EXACT_UNITS)
	return add(f, "%.*f%c", decimals, v, sep);
    units = (unsigned long long)llround(v * scale[decimals]);
    *--d = sep;
    for (k = 0; k < decimals; k++) {
	*--d = (char)('0' + units % 10);
	units /= 10;
    }
    if (decimals > 0)
	*--d = '.';
    do {
	*--d = (char)('0' + units % 10);
	units /= 10;
    } while (units > 0);
    return add_bytes(f, d, (size_t)(digits + sizeof(digits) - d));
}

/*
 * slot's file is open, still the one at its path (not removed), and
 * mapped whole when it can be; f->on_disk[slot] is its size
 */
static int
open_slot(pp_state_file *f, const char *path, int slot)
{
    char name[4096 + 8];
    struct stat sb;

    if (f->fd[slot] >= 0 && fstat(f->fd[slot], &sb) == 0 && sb.st_nlink > 0 &&
	(size_t)sb.st_size == f->on_disk[slot])
	return 0;
    /* first time, removed, or its size changed behind our back */
    unmap_slot(f, slot);
    if (f->fd[slot] >= 0)
	close(f->fd[slot]);
    slot_path(name, sizeof(name), path, slot);
    f->on_disk[slot] = f->used[slot] = 0;
    /* never through a link, never anything but a file of our own */
    if ((f->fd[slot] = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			    O_NONBLOCK, 0644)) < 0)
	return -errno;
    if (fstat(f->fd[slot], &sb) < 0 || !S_ISREG(sb.st_mode) ||
	sb.st_uid != geteuid()) {
	close(f->fd[slot]);
	f->fd[slot] = -1;
	return -EPERM;
    }
    f->on_disk[slot] = f->used[slot] = (size_t)sb.st_size;
    return 0;
}

/* make slot's file at least len bytes long and mapped; -errno */
static int
map_slot(pp_state_file *f, int slot, size_t len)
{
    size_t size = f->on_disk[slot];
    void *m;
    int e;

    if (f->map[slot] != NULL && len <= f->mapped[slot])
	return 0;
    if (len > size) {
	size = (len * 2 + 4095) & ~(size_t)4095;	/* room to grow */
	if (ftruncate(f->fd[slot], (off_t)size) < 0)
	    return -errno;
	f->on_disk[slot] = size;
    }
    /*
     * Every block of the mapping on disk before it is written through:
     * a page written into a hole of a full file system would kill the
     * agent with SIGBUS.  Cannot: written with pwrite, which fails.
     */
    if ((e = posix_fallocate(f->fd[slot], 0, (off_t)size)) != 0)
	return -e;
    unmap_slot(f, slot);
    m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd[slot], 0);
    if (m == MAP_FAILED)
	return -errno;
    f->map[slot] = m;
    f->mapped[slot] = size;
    return 0;
}

/* where the line of aggregate (kind, id) was in the last text, or NULL */
static const pp_state_line *
last_line(pp_state_file *f, size_t *cursor, int kind, int id)
{
    const pp_state_line *l;

    /* both texts are in (kind, id) order: a merge */
    while (*cursor < f->nprev && (f->prev_lines[*cursor].kind < kind ||
				  (f->prev_lines[*cursor].kind == kind &&
				   f->prev_lines[*cursor].id < id)))
	(*cursor)++;
    if (*cursor == f->nprev)
	return NULL;
    l = &f->prev_lines[*cursor];
    return l->kind == kind && l->id == id ? l : NULL;
}

/* room for one more line's record; 0 or -ENOMEM */
static int
room_for_line(pp_state_file *f)
{
    size_t n;
    pp_state_line *v;

    if (f->nlines < f->lines_max)
	return 0;
    n = f->lines_max ? f->lines_max * 2 : 256;
    if ((v = realloc(f->lines, n * sizeof(*v))) == NULL)
	return -ENOMEM;
    f->lines = v;
    f->lines_max = n;
    return 0;
}

/* the line just added (from start) is (kind, id) saying energy and last */
static void
note_line(pp_state_file *f, int kind, int id, double energy, double last,
	  size_t start)
{
    pp_state_line *l = &f->lines[f->nlines++];

    l->kind = kind;
    l->id = id;
    l->energy = energy;
    l->last = last;
    l->off = start;
    l->len = f->len - start;
}

/* aggregate a's line: the last text's when it says the same; 0 or -errno */
static int
add_agg(pp_state_file *f, size_t *cursor, int kind, const pp_agg *a)
{
    static const char *tag[PP_NAGG] = { "agg 0 ", "agg 1 ", "agg 2 " };
    double last = a->refs > 0 ? -1 : a->last_active;	/* -1: "-" */
    const pp_state_line *was = last_line(f, cursor, kind, a->id);
    size_t start = f->len;
    int sts;

    if ((sts = room_for_line(f)) < 0)
	return sts;
    if (was != NULL && was->energy == a->energy && was->last == last)
	sts = add_bytes(f, f->prev + was->off, was->len);
    else if ((sts = add_text(f, tag[kind])) == 0 &&
	     (sts = add_fixed(f, a->id, 0, ' ')) == 0 &&
	     (sts = add_fixed(f, a->energy, 6, ' ')) == 0 &&
	     (sts = last < 0 ? add_text(f, "- ") : add_fixed(f, last, 3, ' ')) == 0 &&
	     (sts = add_text(f, a->name)) == 0)
	sts = add_text(f, "\n");
    if (sts < 0)
	return sts;
    note_line(f, kind, a->id, a->energy, last, start);
    return 0;
}

/*
 * The last text's line of process pid, looked for from *cursor on, a
 * little way: processes come in pmda-proc's order, which is not always
 * by pid (nor are they sorted here: that would cost more than it saves)
 * but is the same from one cycle to the next, so a process's line is at
 * the cursor or just past the lines of processes gone since.
 */
#define PROC_LOOKAHEAD	64

static const pp_state_line *
last_proc_line(pp_state_file *f, size_t *cursor, int pid)
{
    size_t i, end = *cursor + PROC_LOOKAHEAD;

    if (end > f->nprev)
	end = f->nprev;
    for (i = *cursor; i < end; i++)
	if (f->prev_lines[i].kind == PP_NAGG && f->prev_lines[i].id == pid) {
	    *cursor = i + 1;
	    return &f->prev_lines[i];
	}
    return NULL;
}

/*
 * A live process's line (its record's kind is PP_NAGG, after every
 * aggregate's): the last text's when it says the same; 0 or -errno.
 */
static int
add_proc(pp_state_file *f, size_t *cursor, const pp_proc *p)
{
    const pp_state_line *was = last_proc_line(f, cursor, p->pid);
    size_t start = f->len;
    int sts;

    if ((sts = room_for_line(f)) < 0)
	return sts;
    if (was != NULL && was->energy == p->cpu && was->last == p->start)
	sts = add_bytes(f, f->prev + was->off, was->len);
    else if ((sts = add_text(f, "proc ")) == 0 &&
	     (sts = add_fixed(f, p->pid, 0, ' ')) == 0 &&
	     (sts = add_fixed(f, p->start, 3, ' ')) == 0)
	sts = add_fixed(f, p->cpu, 3, '\n');
    if (sts < 0)
	return sts;
    note_line(f, PP_NAGG, p->pid, p->cpu, p->start, start);
    return 0;
}

/* this text's buffer and lines become the last ones (or none on failure) */
static void
keep_text(pp_state_file *f, int ok)
{
    char *b = f->buf;
    size_t m = f->max;
    pp_state_line *l = f->lines;
    size_t lm = f->lines_max;

    if (!ok) {
	f->nprev = 0;
	return;
    }
    f->buf = f->prev;
    f->max = f->prev_max;
    f->prev = b;
    f->prev_max = m;
    f->lines = f->prev_lines;
    f->lines_max = f->prev_lines_max;
    f->prev_lines = l;
    f->prev_lines_max = lm;
    f->nprev = f->nlines;
}

/*
 * The text made (f->prev, f->len bytes) into slot's file; 0 or -errno.
 * *touched says whether the file may have been changed (a failure before
 * that leaves it as it was).
 */
static int
write_slot(pp_state_file *f, const char *path, int slot, int *touched)
{
    ssize_t n;
    int sts;

    *touched = 0;
    if ((sts = open_slot(f, path, slot)) < 0)
	return sts;
    *touched = 1;
    /* far more room than the text needs (aggregates left): give it back */
    if (f->on_disk[slot] > SHRINK_FROM && f->on_disk[slot] / 4 > f->len) {
	size_t size = (f->len * 2 + 4095) & ~(size_t)4095;
	unmap_slot(f, slot);
	if (ftruncate(f->fd[slot], (off_t)size) == 0) {
	    f->on_disk[slot] = size;
	    if (f->used[slot] > size)
		f->used[slot] = size;
	}
    }
    if (map_slot(f, slot, f->len) == 0) {
	/*
	 * Through the mapping: no system call, and the file's times are
	 * updated only when a page written back is written again, not at
	 * every save (that inode update cost more than all the rest).
	 */
	memcpy(f->map[slot], f->prev, f->len);
	if (f->used[slot] > f->len)	/* a longer text's remains */
	    memset(f->map[slot] + f->len, 0, f->used[slot] - f->len);
	f->used[slot] = f->len;
	return 0;
    }
    /* no mapping of it may outlive this: the file's size changes below */
    unmap_slot(f, slot);
    if ((n = pwrite(f->fd[slot], f->prev, f->len, 0)) != (ssize_t)f->len)
	sts = n < 0 ? -errno : -ENOSPC;
    else if (f->used[slot] > f->len && ftruncate(f->fd[slot], (off_t)f->len) < 0)
	sts = -errno;
    if (sts < 0) {
	close(f->fd[slot]);	/* open it again next time */
	f->fd[slot] = -1;
	return sts;
    }
    if (f->used[slot] > f->len || f->on_disk[slot] < f->len)
	f->on_disk[slot] = f->len;
    f->used[slot] = f->len;
    return 0;
}

int
pp_state_save(pp_state_file *f, const char *path, const pp_state *st,
	      double now)
{
    int k, sts, slot = f->next, touched;
    size_t i, cursor = 0;

    f->len = 0;
    f->nlines = 0;
    /* the energies as pp_state_joules rounds them (add_fixed) */
    sts = add(f, "%s%d %.3f\nseq %llu\nunattributed ", MAGIC, VERSION,
	      now, f->seq + 1);
    if (sts == 0)
	sts = add_fixed(f, *st->unattributed, 6, '\n');
    for (k = 0; sts == 0 && k < PP_NAGG; k++)
	sts = add(f, "ids %d %d\n", k, st->aggs[k].next_id);
    for (k = 0; sts == 0 && k < st->sources->n; k++) {
	const pp_source *s = &st->sources->s[k];
	if (s->energy > 0 && strchr(s->name, '\n') == NULL &&
	    ((sts = add_text(f, "source ")) < 0 ||
	     (sts = add_fixed(f, s->energy, 6, ' ')) < 0 ||
	     (sts = add_text(f, s->name)) < 0 ||
	     (sts = add_text(f, "\n")) < 0))
	    break;
    }
    /* the counters' last readings: a restart's gap is taken from them */
    for (k = 0; sts == 0 && k < st->sources->n; k++) {
	const pp_source *s = &st->sources->s[k];
	if (s->kind == PP_KIND_COUNTER && s->counter.primed && s->t_read > 0 &&
	    strchr(s->name, '\n') == NULL &&
	    ((sts = add_text(f, "counter ")) < 0 ||
	     (sts = add_fixed(f, s->counter.last, 6, ' ')) < 0 ||
	     (sts = add_fixed(f, s->t_read, 6, ' ')) < 0 ||
	     (sts = add_text(f, s->name)) < 0 ||
	     (sts = add_text(f, "\n")) < 0))
	    break;
    }
    for (k = 0; k < PP_NAGG; k++)
	for (i = 0; sts == 0 && i < st->aggs[k].count; i++) {
	    const pp_agg *a = st->aggs[k].byid[i];
	    if (strchr(a->name, '\n') == NULL)	/* a line each: such a
							   name is not kept */
		sts = add_agg(f, &cursor, k, a);
	}
    /* what a restart's gap is shared by */
    if (sts == 0 && st->busy > 0 && st->boot > 0) {
	if ((sts = add_text(f, "cpu ")) == 0 &&
	    (sts = add_fixed(f, st->busy, 3, ' ')) == 0)
	    sts = add_fixed(f, st->boot, 3, '\n');
    }
    /* the processes' lines are last: from the first of the last text's */
    while (cursor < f->nprev && f->prev_lines[cursor].kind < PP_NAGG)
	cursor++;
    for (i = 0; sts == 0 && st->procs && i < st->procs->norder; i++) {
	const pp_proc *p = st->procs->order[i];
	if (p->start > 0 && p->cpu >= 0)
	    sts = add_proc(f, &cursor, p);
    }
    for (i = 0; sts == 0 && i < st->ncounted; i++) {
	uint64_t key = st->counted[i];
	if ((double)(uint32_t)key + 1 > now)	/* began in now's second */
	    sts = add(f, "seen %u %u\n", (unsigned)(key >> 32),
		      (unsigned)(uint32_t)key);
    }
    if (sts == 0)
	sts = add(f, "end %016" PRIx64 "\n", checksum64(f->buf, f->len));
    keep_text(f, sts == 0);
    if (sts < 0)
	return sts;
    if (f->len > MAXSTATE)
	return -EFBIG;		/* would not be read back: keep the last */
    /*
     * The text just made is f->prev now.  When its file cannot even be
     * opened as ours (a FIFO or a link put in its place), the other one
     * is written: the newest counters are on disk whenever either can
     * be.  Not when the write itself failed (a full disk): that file may
     * be torn now, and the other is the one whole copy left.
     */
    if ((sts = write_slot(f, path, slot, &touched)) < 0 && !touched &&
	write_slot(f, path, !slot, &touched) == 0) {
	slot = !slot;
	sts = 0;
    }
    if (sts < 0)
	return sts;
    f->next = !slot;
    f->seq++;
    return 0;
}


/*
 * A whole file's text, NUL-terminated, cut after its last record: NULL
 * when there is none (*problem PP_STATE_MISSING) or it cannot be taken
 * (*problem says why).  Opened without following a link and without
 * blocking (a FIFO or a device placed there is refused, not waited on),
 * and taken only when it is a regular file of the agent's own user.
 */
static char *
read_text(const char *name, pp_state_problem *problem, double *when)
{
    char *text = NULL, *end;
    struct stat sb;
    size_t got = 0;
    ssize_t n;
    int fd, version;
    unsigned long long sum;

    *when = -1;
    *problem = PP_STATE_MISSING;
    if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0) {
	if (errno != ENOENT)
	    *problem = errno == ELOOP ? PP_STATE_NOT_FILE : PP_STATE_UNREADABLE;
	return NULL;
    }
    if (fstat(fd, &sb) < 0) {
	*problem = PP_STATE_UNREADABLE;
	goto fail;
    }
    if (!S_ISREG(sb.st_mode)) {
	*problem = PP_STATE_NOT_FILE;
	goto fail;
    }
    if (sb.st_uid != geteuid()) {
	*problem = PP_STATE_NOT_OWNER;
	goto fail;
    }
    if (sb.st_size > MAXSTATE) {
	*problem = PP_STATE_TOO_LARGE;
	goto fail;
    }
    if ((text = malloc((size_t)sb.st_size + 1)) == NULL) {
	*problem = PP_STATE_UNREADABLE;
	goto fail;
    }
    while (got < (size_t)sb.st_size &&
	   (n = read(fd, text + got, (size_t)sb.st_size - got)) != 0) {
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0) {
	    *problem = PP_STATE_UNREADABLE;
	    goto fail;
	}
	got += (size_t)n;
    }
    text[got] = '\0';
    *problem = PP_STATE_NOT_STATE;
    if (strncmp(text, MAGIC, strlen(MAGIC)) != 0 ||
	sscanf(text + strlen(MAGIC), "%d %lf", &version, when) != 2 ||
	version < 1 || version > VERSION ||
	!(*when >= 0 && *when < PP_STATE_MAX_JOULES))	/* a time, in range */
	goto fail;
    if (version >= 2) {
	/* the first "end" line, its checksum over all before it */
	size_t len;
	*problem = PP_STATE_TRUNCATED;
	end = strstr(text, "\nend ");
	if (end == NULL || sscanf(end + 5, "%llx", &sum) != 1)
	    goto fail;
	len = (size_t)(end - text) + 1;
	if (version == 2 ? (uint32_t)sum != checksum(text, len) :
			   (uint64_t)sum != checksum64(text, len))
	    goto fail;
	end[1] = '\0';
    }
    close(fd);
    *problem = PP_STATE_OK;
    return text;
fail:
    close(fd);
    free(text);
    *when = -1;
    return NULL;
}

/* the rest of the line after n space-separated fields */
static const char *
after_fields(const char *line, int n)
{
    while (n-- > 0) {
	line = strchr(line, ' ');
	if (line == NULL)
	    return NULL;
	line++;
    }
    return line;
}

/* a count of joules or a time as a state file may hold one */
static int
joules(const char *field, double *v, char **end)
{
    const char *c;

    *v = strtod(field, end);
    for (c = field; c < *end; c++)	/* as written: digits and a point */
	if ((*c < '0' || *c > '9') && *c != '.')
	    return 0;
    return *end != field && isfinite(*v) && *v >= 0 && *v < PP_STATE_MAX_JOULES;
}

/* a whole number from lo to hi, then a space or the end */
static int
whole(const char **p, long lo, long hi, long *v)
{
    char *end;

    errno = 0;
    *v = strtol(*p, &end, 10);
    if (end == *p || errno != 0 || *v < lo || *v > hi ||
	(*end != ' ' && *end != '\0'))
	return 0;
    *p = *end == ' ' ? end + 1 : end;
    return 1;
}

/* an aggregate's LAST_ACTIVE: a time, or "-" for `when`; -1 if neither */
static double
last_active(const char *field, double when)
{
    char *end;
    double w;

    if (field[0] == '-' && field[1] == ' ')
	return when;
    return joules(field, &w, &end) && *end == ' ' ? w : -1;
}

void
pp_state_gap_free(pp_state_gap *g)
{
    free(g->procs);
    g->procs = NULL;
    g->nprocs = g->max = 0;
    free(g->counted);
    g->counted = NULL;
    g->ncounted = g->counted_max = 0;
    g->busy = g->boot = g->time = -1;
}

/* a record counted before the gap; 0 or -ENOMEM */
static int
add_counted(pp_state_gap *g, uint64_t key)
{
    if (g->ncounted == g->counted_max) {
	size_t n = g->counted_max ? g->counted_max * 2 : 64;
	uint64_t *v;
	if (n > MAXSTATE / 8 ||
	    (v = realloc(g->counted, n * sizeof(*v))) == NULL)
	    return -ENOMEM;
	g->counted = v;
	g->counted_max = n;
    }
    g->counted[g->ncounted++] = key;
    return 0;
}

static int
by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* a saved process, for the gap; 0 or -ENOMEM */
static int
add_saved(pp_state_gap *g, int pid, double start, double cpu)
{
    if (g->nprocs == g->max) {
	size_t n = g->max ? g->max * 2 : 1024;
	pp_saved_proc *v;
	if (n > SIZE_MAX / sizeof(*v) ||
	    (v = realloc(g->procs, n * sizeof(*v))) == NULL)
	    return -ENOMEM;
	g->procs = v;
	g->max = n;
    }
    g->procs[g->nprocs].pid = pid;
    g->procs[g->nprocs].start = start;
    g->procs[g->nprocs].cpu = cpu;
    g->nprocs++;
    return 0;
}

static int
by_pid(const void *a, const void *b)
{
    int x = ((const pp_saved_proc *)a)->pid, y = ((const pp_saved_proc *)b)->pid;

    return (x > y) - (x < y);
}

/* the saved processes in ascending pid order, each pid once */
static void
gap_order(pp_state_gap *g)
{
    size_t i, n = 0;

    for (i = 1; i < g->nprocs; i++)
	if (g->procs[i].pid <= g->procs[i - 1].pid)
	    break;
    if (i < g->nprocs)
	qsort(g->procs, g->nprocs, sizeof(*g->procs), by_pid);
    for (i = 0; i < g->nprocs; i++)
	if (n == 0 || g->procs[i].pid != g->procs[n - 1].pid)
	    g->procs[n++] = g->procs[i];
    g->nprocs = n;
}

/*
 * Restore line by line: a line that is not one of ours, or holds a value
 * that is not a finite, non-negative number in range, is left out (and
 * counted in *refused); the rest is restored.
 */
static int
restore(char *text, const pp_state *st, double when, int *refused)
{
    char *line, *nl, *end;
    int restored = 0;
    long kind, id;
    double v, w;

    for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
	const char *name, *p;

	*nl = '\0';		/* a last line with no newline is left out */
	if (strncmp(line, "unattributed ", 13) == 0) {
	    if (joules(line + 13, &v, &end) && *end == '\0') {
		*st->unattributed = v;
		restored++;
	    } else
		(*refused)++;
	} else if (strncmp(line, "source ", 7) == 0) {
	    /* the source is found again by discovery, keeping this energy */
	    pp_source *s;
	    if (joules(line + 7, &v, &end) && *end == ' ' && end[1] != '\0' &&
		(s = pp_sources_adopt(st->sources, end + 1)) != NULL) {
		s->energy = v;
		restored++;
	    } else
		(*refused)++;
	} else if (strncmp(line, "counter ", 8) == 0) {
	    /* a counter's last reading and its time, for the gap */
	    pp_source *s;
	    if (joules(line + 8, &v, &end) && *end == ' ' &&
		joules(end + 1, &w, &end) && *end == ' ' && end[1] != '\0' &&
		(s = pp_sources_adopt(st->sources, end + 1)) != NULL) {
		s->gap_raw = v;
		s->gap_time = w;
		restored++;
	    } else
		(*refused)++;
	} else if (strncmp(line, "ids ", 4) == 0) {
	    /* ids given before, saved or not, are not given again */
	    p = line + 4;
	    if (whole(&p, 0, PP_NAGG - 1, &kind) &&
		whole(&p, 0, PP_AGG_OTHER_ID, &id) && *p == '\0') {
		if (st->aggs[kind].next_id < id)
		    st->aggs[kind].next_id = (int)id;
	    } else
		(*refused)++;
	} else if (strncmp(line, "cpu ", 4) == 0) {
	    if (st->gap == NULL)
		continue;
	    if (joules(line + 4, &v, &end) && *end == ' ' &&
		joules(end + 1, &w, &end) && *end == '\0') {
		st->gap->busy = v;
		st->gap->boot = w;
	    } else
		(*refused)++;
	} else if (strncmp(line, "seen ", 5) == 0) {
	    /* a begin time is 32 bits; a 32-bit long holds it until 2038 */
	    const long max_begin = sizeof(long) > 4 ? (long)UINT32_MAX : LONG_MAX;
	    long pid, begin;
	    if (st->gap == NULL)
		continue;
	    p = line + 5;
	    if (whole(&p, 1, INT_MAX, &pid) && whole(&p, 0, max_begin, &begin) &&
		*p == '\0') {
		if (add_counted(st->gap, (uint64_t)pid << 32 | (uint64_t)begin) < 0)
		    (*refused)++;
	    } else
		(*refused)++;
	} else if (strncmp(line, "proc ", 5) == 0) {
	    long pid;
	    if (st->gap == NULL)
		continue;
	    p = line + 5;
	    if (whole(&p, 1, INT_MAX, &pid) && joules(p, &v, &end) &&
		*end == ' ' && joules(end + 1, &w, &end) && *end == '\0') {
		if (add_saved(st->gap, (int)pid, v, w) < 0)
		    (*refused)++;
	    } else
		(*refused)++;
	} else if (strncmp(line, "agg ", 4) == 0) {
	    p = line + 4;
	    if (whole(&p, 0, PP_NAGG - 1, &kind) &&
		whole(&p, 0, PP_AGG_OTHER_ID, &id) &&
		joules(p, &v, &end) && *end == ' ' &&
		(w = last_active(end + 1, when)) >= 0 &&
		(name = after_fields(end + 1, 1)) != NULL && *name &&
		pp_agg_restore(&st->aggs[kind], name, (int)id, v, w) != NULL)
		restored++;
	    else
		(*refused)++;
	}
    }
    return restored;
}

/* a text's count of saves ("seq N" after the first line), 0 if none */
static unsigned long long
save_count(const char *text)
{
    const char *l = strchr(text, '\n');
    char *end;
    unsigned long long n;

    if (l == NULL || strncmp(l + 1, "seq ", 4) != 0)
	return 0;
    errno = 0;
    n = strtoull(l + 5, &end, 10);
    return errno == 0 && *end == '\n' ? n : 0;
}

const char *
pp_state_problem_text(pp_state_problem p)
{
    switch (p) {
    case PP_STATE_OK: return "whole";
    case PP_STATE_MISSING: return "missing";
    case PP_STATE_NOT_FILE: return "not a regular file (a link, a FIFO or a device): left alone";
    case PP_STATE_NOT_OWNER: return "not owned by the agent's user: left alone";
    case PP_STATE_TOO_LARGE: return "larger than any state file";
    case PP_STATE_UNREADABLE: return "cannot be read";
    case PP_STATE_NOT_STATE: return "not a state file";
    case PP_STATE_TRUNCATED: return "not whole (cut short or its checksum fails)";
    }
    return "?";
}

int
pp_state_load(pp_state_file *f, const char *path, const pp_state *st)
{
    char name[4096 + 8], *text[2];
    double when[2];
    unsigned long long seq[2];
    int slot, restored;

    f->refused = 0;
    for (slot = 0; slot < 2; slot++) {
	slot_path(name, sizeof(name), path, slot);
	text[slot] = read_text(name, &f->problem[slot], &when[slot]);
    }
    if (text[0] == NULL && text[1] == NULL) {
	f->loaded = -1;
	return f->problem[0] != PP_STATE_MISSING ||
	       f->problem[1] != PP_STATE_MISSING ? -1 : 0;
    }
    /*
     * The newer: by the count of saves, which a step of the clock does
     * not change; by the time for files of earlier versions.
     */
    for (slot = 0; slot < 2; slot++)
	seq[slot] = text[slot] ? save_count(text[slot]) : 0;
    if (text[0] != NULL && text[1] != NULL && seq[0] > 0 && seq[1] > 0)
	slot = seq[1] > seq[0];
    else
	slot = text[1] != NULL && (text[0] == NULL || when[1] > when[0]);
    f->seq = seq[0] > seq[1] ? seq[0] : seq[1];
    f->loaded = slot;
    if (st->gap != NULL)
	pp_state_gap_free(st->gap);
    restored = restore(text[slot], st, when[slot], &f->refused);
    if (st->gap != NULL) {
	gap_order(st->gap);
	if (st->gap->ncounted > 1)
	    qsort(st->gap->counted, st->gap->ncounted,
		  sizeof(*st->gap->counted), by_key);
	st->gap->time = when[slot];
    }
    f->next = !slot;		/* keep this one until the other is written */
    free(text[0]);
    free(text[1]);
    return restored;
}
