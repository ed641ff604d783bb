/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's counters across restarts: when pmcd restarts, the agent is
 * restarted with it, and without this every energy counter would start
 * again from zero (a counter reset in every archive).  The state file
 * holds each source's and aggregate's energy, with the aggregates'
 * instance ids, and the unattributed energy; it is read back at start-up.
 * With them, the counters' last readings and what the last cycle saw of
 * the processes and the machine's CPU, so that the energy of the gap a
 * restart leaves goes to the aggregates of the processes that lived
 * through it (pp_state_gap).
 *
 * It is written after every cycle, so it must cost next to nothing: two
 * files, PATH and PATH.1, kept open and mapped, written in turn in place,
 * every text ending in a line with its checksum (then zeros up to the
 * file's size, which grows with room to spare).  The reader
 * takes the newer of the two whose checksum holds, so a process killed or
 * a machine stopped in the middle of a write leaves the other one whole.
 */
#ifndef PP_STATE_H
#define PP_STATE_H

#include "aggregate.h"
#include "attrib.h"
#include "sources.h"

/*
 * What the first cycle after a restart needs of the last one before it to
 * share the gap's energy: the live processes (pid, start time, CPU time)
 * and the machine's busy CPU counter with the boot time, as saved.
 */
typedef struct {
    pp_saved_proc *procs;	/* in ascending pid order */
    size_t	nprocs, max;
    double	busy;		/* ms; -1 not saved */
    double	boot;		/* kernel.all.boottime then; -1 not saved */
    double	time;		/* the file's time (its last cycle's), -1 */
    /* exit records counted by then that began in its second (pid << 32
       | begin time), ascending */
    uint64_t	*counted;
    size_t	ncounted, counted_max;
} pp_state_gap;

void pp_state_gap_free(pp_state_gap *g);

typedef struct {
    pp_aggset	*aggs;		/* PP_NAGG sets */
    pp_sources	*sources;
    double	*unattributed;	/* joules */
    /* saved: this cycle's live processes (NULL: none), the machine's
       busy CPU counter and boot time (negative: none) */
    const pp_table *procs;
    double	busy, boot;
    /* restored: where the saved processes go (NULL: left out) */
    pp_state_gap *gap;
    /* saved: exit records counted lately (pid << 32 | begin time), of
       which those that began in the file's second are written */
    const uint64_t *counted;
    size_t	ncounted;
} pp_state;

/* an aggregate's or a live process's line in a text: copied when it
   would say the same (a process's kind is PP_NAGG, its id the pid, its
   energy the CPU time and last the start) */
typedef struct {
    int		kind, id;
    double	energy, last;	/* as written; last -1 for "-" */
    size_t	off, len;	/* where in the text */
} pp_state_line;

/* what was wrong with a file when it was read back */
typedef enum {
    PP_STATE_OK, PP_STATE_MISSING, PP_STATE_NOT_FILE, PP_STATE_NOT_OWNER,
    PP_STATE_TOO_LARGE, PP_STATE_UNREADABLE, PP_STATE_NOT_STATE,
    PP_STATE_TRUNCATED
} pp_state_problem;

const char *pp_state_problem_text(pp_state_problem p);

/* the most joules a state file may say (30 years of a megawatt) */
#define PP_STATE_MAX_JOULES	1e15

/* the two files being written, and the text formatted for them */
typedef struct {
    int		fd[2];		/* PATH, PATH.1; -1 until first written */
    size_t	on_disk[2];	/* each one's size */
    char	*map[2];	/* each one mapped, NULL when not */
    size_t	mapped[2];	/* bytes mapped */
    size_t	used[2];	/* bytes of text last written to each */
    int		next;		/* which to write next */
    char	*buf;		/* the text being made */
    size_t	max;		/* bytes allocated for it */
    size_t	len;		/* bytes of it in use */
    pp_state_line *lines;	/* its aggregates' and processes' lines */
    size_t	nlines, lines_max;
    char	*prev;		/* the last text written, and its lines */
    size_t	prev_max;
    pp_state_line *prev_lines;
    size_t	nprev, prev_lines_max;
    /* the last pp_state_load: each file's problem, the one restored
       (-1 none), and the lines left out of it */
    pp_state_problem problem[2];
    int		loaded;
    int		refused;
    unsigned long long seq;	/* saves so far, over restarts */
} pp_state_file;

void pp_state_file_init(pp_state_file *f);
void pp_state_file_close(pp_state_file *f);

/* write the state to the older of PATH and PATH.1; 0 or -errno */
/*
 * v joules as a state file holds it (to the microjoule, rounded as written,
 * read back to the same double): the agent exports its energy counters so,
 * and one restored from the state is then never below what was exported.
 */
double pp_state_joules(double v);

int pp_state_save(pp_state_file *f, const char *path, const pp_state *st,
		  double now);

/*
 * Read back the newer whole one of PATH and PATH.1 (a file written by an
 * earlier version, with no checksum, is taken too): restores energies
 * and ids, and makes f write the other one first.  Only regular files of
 * the calling user are read, never through a link.  Returns the number
 * of records restored, 0 when there is no file, -1 when there are files
 * but none is a whole state file (then nothing is restored); what was
 * wrong with each is left in f->problem, the lines refused in f->refused.
 */
int pp_state_load(pp_state_file *f, const char *path, const pp_state *st);

#endif /* PP_STATE_H */
