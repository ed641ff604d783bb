/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the state files (src/state.c): counters of sources,
 * aggregates and the remainder survive a save and a load with their
 * instance ids; the two files are written in turn and the newer whole
 * one is read; a torn, foreign or truncated file restores nothing wrong.
 */
#include "state.h"
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pp_aggset back[PP_NAGG];
static pp_sources src2;
static double unattr2;

/* a fresh set to load into */
static pp_state
empty(void)
{
    pp_state st = { back, &src2, &unattr2, NULL, 0, 0, NULL, NULL, 0 };
    int k;

    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_free(&back[k]);
	pp_aggset_init(&back[k]);
    }
    pp_sources_init(&src2);
    unattr2 = 0;
    return st;
}

static void
put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static long
file_size(const char *path)
{
    FILE *f = fopen(path, "r");
    long n = -1;
    if (f != NULL) {
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
    }
    return n;
}

/* flip one byte in the middle of a file's text (before its zeros) */
static void
tear(const char *path)
{
    FILE *f = fopen(path, "r+");
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF && c != '\0')
	n++;
    fseek(f, n / 2, SEEK_SET);
    c = fgetc(f);
    fseek(f, n / 2, SEEK_SET);
    fputc(c == '9' ? '8' : '9', f);
    fclose(f);
}

static uint32_t
fnv1a(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n-- > 0)
	h = (h ^ (unsigned char)*p++) * 16777619u;
    return h;
}

static char *
slurp(const char *path, char *buf, size_t len)
{
    FILE *fp = fopen(path, "r");
    size_t n = fp ? fread(buf, 1, len - 1, fp) : 0;
    if (fp)
	fclose(fp);
    buf[n] = '\0';
    return buf;
}

/*
 * Version 3: a held aggregate's line says "-" and means the file's time;
 * lines that say the same are copied from the last text, and a changed
 * one is written anew; ids given are not given again after a restart.
 */
static void
test_lines(void)
{
    char path[] = "/tmp/procpower-lines-XXXXXX", path1[64];
    static char buf[32768], buf2[32768];
    int fd = mkstemp(path), k, i, same = 1;
    pp_aggset aggs[PP_NAGG];
    pp_sources src;
    double unattr = 1;
    pp_state st = { aggs, &src, &unattr, NULL, 0, 0, NULL, NULL, 0 }, st2;
    pp_state_file wf, rf;
    pp_agg *held, *idle, *busy;
    char name[32];

    close(fd);
    snprintf(path1, sizeof(path1), "%s.1", path);
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_init(&aggs[k]);
    pp_sources_init(&src);
    pp_state_file_init(&wf);
    pp_state_file_init(&rf);
    held = pp_agg_get(&aggs[0], "sshd");
    pp_agg_hold(held);
    held->energy = 10;
    held->last_active = 90;
    idle = pp_agg_get(&aggs[0], "cron");
    idle->energy = 2;
    idle->last_active = 50;
    busy = pp_agg_get(&aggs[1], "root");
    busy->energy = 1;
    busy->last_active = 100;
    for (i = 0; i < 300; i++) {		/* more than the first line table */
	snprintf(name, sizeof(name), "cmd%d", i);
	pp_agg_get(&aggs[2], name)->energy = i;
    }
    pp_agg_get(&aggs[2], "gone soon")->last_active = 1;
    CHECK(pp_state_save(&wf, path, &st, 100) == 0);
    slurp(path, buf, sizeof(buf));
    CHECK(strstr(buf, "\nagg 0 0 10.000000 - sshd\n") != NULL);
    CHECK(strstr(buf, "\nagg 0 1 2.000000 50.000 cron\n") != NULL);
    CHECK(strstr(buf, "\nids 0 2\n") != NULL);

    /* the next texts: one line changes, one aggregate goes, others stay */
    busy->energy = 1.5;
    pp_aggset_expire(&aggs[2], 100, 10);	/* "gone soon" */
    CHECK(pp_state_save(&wf, path, &st, 110) == 0);
    CHECK(pp_state_save(&wf, path, &st, 120) == 0);
    slurp(path, buf, sizeof(buf));
    CHECK(strstr(buf, "procpower-state 3 120.000\n") == buf);
    CHECK(strstr(buf, "\nagg 1 0 1.500000 100.000 root\n") != NULL);
    CHECK(strstr(buf, "gone soon") == NULL);
    CHECK(strstr(buf, "\nagg 2 299 299.000000 ") != NULL);
    /* every line as a fresh formatting would write it */
    {
	pp_state_file fresh;
	pp_state_file_init(&fresh);
	unlink(path1);
	fresh.next = 1;
	fresh.seq = wf.seq - 1;		/* the same count of saves */
	CHECK(pp_state_save(&fresh, path, &st, 120) == 0);
	slurp(path1, buf2, sizeof(buf2));
	same = strcmp(buf, buf2) == 0;
	CHECK(same);
	pp_state_file_close(&fresh);
    }

    /* read back: "-" is the file's time; ids go on after the last given */
    st2 = (pp_state){ back, &src2, &unattr2, NULL, 0, 0, NULL, NULL, 0 };
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_free(&back[k]);
	pp_aggset_init(&back[k]);
    }
    pp_sources_init(&src2);
    CHECK(pp_state_load(&rf, path, &st2) == 1 + 3 + 300);
    NEAR(pp_agg_get(&back[0], "sshd")->last_active, 120, 1e-3);
    NEAR(pp_agg_get(&back[0], "cron")->last_active, 50, 1e-3);
    CHECK(pp_agg_get(&back[2], "new")->id == 301);	/* 300 was "gone soon" */

    pp_state_file_close(&wf);
    pp_state_file_close(&rf);
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_free(&aggs[k]);
    unlink(path);
    unlink(path1);
}

/* a process pid at cpu ms, started at start, recorded in table t */
/*
 * text, the last save (the seq-th, at now) of st to path, is what a
 * fresh formatting gives: the same save by a new pp_state_file, into
 * path1 (path's copy)
 */
static void
same_as_fresh(const char *path, const char *path1, const pp_state *st,
	      unsigned long long seq, double now, const char *text)
{
    static char buf2[8192];
    pp_state_file fresh;

    pp_state_file_init(&fresh);
    unlink(path1);
    fresh.next = 1;
    fresh.seq = seq - 1;
    CHECK(pp_state_save(&fresh, path, st, now) == 0);
    slurp(path1, buf2, sizeof(buf2));
    CHECK(strcmp(text, buf2) == 0);
    pp_state_file_close(&fresh);
}

static pp_proc *
live(pp_table *t, int pid, double start, double cpu)
{
    int isnew;
    pp_proc *p = pp_table_update(t, pid, start, cpu, &isnew);

    if (p != NULL && isnew)
	p->start = start;
    return p;
}

/*
 * What a restart's gap is shared by: the machine's busy counter and boot
 * time, and each live process's pid, start and CPU time, read back in pid
 * order whatever the table's; an idle process's line is copied, a busy
 * one's written again; bad lines are refused one by one.
 */
static void
test_gap_lines(void)
{
    char path[] = "/tmp/procpower-gap-XXXXXX", path1[64];
    static char buf[8192];
    int fd = mkstemp(path), k;
    pp_aggset aggs[PP_NAGG];
    pp_sources src;
    pp_table t;
    pp_state_gap gap = { NULL, 0, 0, -1, -1, -1, NULL, 0, 0 };
    double unattr = 0;
    pp_state st = { aggs, &src, &unattr, &t, 123456.5, 1700000000, NULL, NULL, 0 };
    pp_state rs;
    pp_state_file wf, rf;
    pp_proc *busy;

    close(fd);
    snprintf(path1, sizeof(path1), "%s.1", path);
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_init(&aggs[k]);
    pp_sources_init(&src);
    pp_state_file_init(&wf);
    pp_state_file_init(&rf);
    pp_table_init(&t);
    pp_table_begin(&t);
    live(&t, 7, 1500, 40);
    busy = live(&t, 300, 2500.25, 1000);
    live(&t, 4000, 9000, 0);
    live(&t, 4001, 0, 5);		/* start not known: left out */
    CHECK(pp_state_save(&wf, path, &st, 100) == 0);
    slurp(path, buf, sizeof(buf));
    CHECK(strstr(buf, "\ncpu 123456.500 1700000000.000\n") != NULL);
    CHECK(strstr(buf, "\nproc 7 1500.000 40.000\nproc 300 2500.250 "
		  "1000.000\nproc 4000 9000.000 0.000\nend ") != NULL);
    CHECK(strstr(buf, "proc 4001 ") == NULL);

    /* next cycle: the busy one's line changes, the others are copied and
       the text is what a fresh formatting gives */
    pp_table_begin(&t);
    live(&t, 7, 1500, 40);
    live(&t, 300, 2500.25, 1250.5);
    live(&t, 4000, 9000, 0);
    CHECK(pp_state_save(&wf, path, &st, 110) == 0);
    CHECK(pp_state_save(&wf, path, &st, 120) == 0);
    slurp(path, buf, sizeof(buf));
    CHECK(strstr(buf, "\nproc 300 2500.250 1250.500\n") != NULL);
    same_as_fresh(path, path1, &st, wf.seq, 120, buf);

    /* read back into a gap: in pid order */
    rs = empty();
    rs.gap = &gap;
    pp_state_load(&rf, path, &rs);
    CHECK(rf.refused == 0);
    NEAR(gap.busy, 123456.5, 1e-6);
    NEAR(gap.boot, 1700000000, 1e-6);
    CHECK(gap.nprocs == 3);
    CHECK(gap.nprocs == 3 && gap.procs[0].pid == 7 && gap.procs[1].pid == 300 &&
	  gap.procs[2].pid == 4000);
    if (gap.nprocs == 3) {
	NEAR(gap.procs[1].start, 2500.25, 1e-9);
	NEAR(gap.procs[1].cpu, 1250.5, 1e-9);
    }
    /* without a gap to fill, the lines are passed over */
    rs = empty();
    CHECK(pp_state_load(&rf, path, &rs) >= 0 && rf.refused == 0);

    /* the exit records counted lately: those that began in the second of
       the save are written ("seen PID BEGIN"), read back in order */
    {
	static const uint64_t keys[] = {
	    (uint64_t)70 << 32 | 1700000100u, (uint64_t)6 << 32 | 1700000099u,
	    (uint64_t)5 << 32 | 1700000100u, (uint64_t)8 << 32 | 1700000101u
	};
	st.counted = keys;
	st.ncounted = 4;
	CHECK(pp_state_save(&wf, path, &st, 1700000100.4) == 0);
	CHECK(pp_state_save(&wf, path, &st, 1700000100.4) == 0);
	slurp(path, buf, sizeof(buf));
	CHECK(strstr(buf, "\nseen 70 1700000100\nseen 5 1700000100\n"
		      "seen 8 1700000101\nend ") != NULL);
	CHECK(strstr(buf, "seen 6 ") == NULL);
	rs = empty();
	rs.gap = &gap;
	pp_state_load(&rf, path, &rs);
	CHECK(rf.refused == 0);
	CHECK(gap.ncounted == 3 && gap.counted[0] == keys[2] &&
	      gap.counted[1] == keys[3] && gap.counted[2] == keys[0]);
	st.counted = NULL;
	st.ncounted = 0;
    }

    /* a table out of pid order: written as it is, read back in order */
    (void)busy;
    pp_table_free(&t);
    pp_table_init(&t);
    pp_table_begin(&t);
    live(&t, 900, 10, 1);
    live(&t, 20, 11, 2);
    live(&t, 500, 12, 3);
    CHECK(pp_state_save(&wf, path, &st, 130) == 0);
    CHECK(pp_state_save(&wf, path, &st, 140) == 0);
    slurp(path, buf, sizeof(buf));
    CHECK(strstr(buf, "\nproc 900 10.000 1.000\nproc 20 11.000 2.000\n") != NULL);
    rs = empty();
    rs.gap = &gap;
    pp_state_load(&rf, path, &rs);
    CHECK(gap.nprocs == 3 && gap.procs[0].pid == 20 && gap.procs[1].pid == 500 &&
	  gap.procs[2].pid == 900);

    /* the same order next cycle, out of pid order still (pmda-proc's),
       with aggregates before the processes' lines: one process gone,
       one new, one busier; the others' lines are copied (a mark put in
       the last text shows it), and, the mark taken out, the text is
       what a fresh formatting gives */
    pp_agg_get(&aggs[0], "make")->energy = 2.5;
    pp_agg_get(&aggs[1], "root")->energy = 7;
    CHECK(pp_state_save(&wf, path, &st, 145) == 0);
    {
	char *mark = memmem(wf.prev, wf.len, "proc 500 12.000 3.000\n", 22);
	CHECK(mark != NULL);
	if (mark != NULL)
	    mark[11] = '#';	/* "proc 500 12#000 3.000" */
    }
    pp_table_begin(&t);
    live(&t, 900, 10, 1.5);
    live(&t, 700, 13, 4);
    live(&t, 500, 12, 3);
    CHECK(pp_state_save(&wf, path, &st, 150) == 0);
    CHECK(memmem(wf.prev, wf.len, "\nproc 900 10.000 1.500\nproc 700 13.000 "
		 "4.000\nproc 500 12#000 3.000\nend ", 71) != NULL);
    pp_table_begin(&t);
    live(&t, 900, 10, 1);
    live(&t, 700, 13, 4);
    live(&t, 500, 12, 3.5);
    CHECK(pp_state_save(&wf, path, &st, 155) == 0);
    CHECK(pp_state_save(&wf, path, &st, 160) == 0);
    slurp(path, buf, sizeof(buf));
    CHECK(strstr(buf, "\nproc 900 10.000 1.000\nproc 700 13.000 4.000\n"
		  "proc 500 12.000 3.500\nend ") != NULL);
    CHECK(strstr(buf, "agg 0 ") != NULL && strstr(buf, "agg 1 ") != NULL);
    same_as_fresh(path, path1, &st, wf.seq, 160, buf);

    /* bad lines, one by one; a pid twice is kept once */
    put(path, "procpower-state 1 5\ncpu nan 5\nproc 0 1 2\nproc 5 inf 3\n"
	"proc 6 1 -2\nproc 2147483648 1 1\nproc 8 1 2 x\nproc 9 1 2\n"
	"proc 9 1 3\nproc 3 4 5\nseen 0 5\nseen 4 -1\nseen 4 4294967296\n"
	"seen 4 5 6\nseen 4 5\n");
    unlink(path1);
    rs = empty();
    rs.gap = &gap;
    pp_state_load(&rf, path, &rs);
    CHECK(rf.refused == 10);
    CHECK(gap.busy < 0);
    CHECK(gap.ncounted == 1 && gap.counted[0] == ((uint64_t)4 << 32 | 5));
    CHECK(gap.nprocs == 2 && gap.procs[0].pid == 3 && gap.procs[1].pid == 9);

    pp_state_gap_free(&gap);
    pp_table_free(&t);
    pp_state_file_close(&wf);
    pp_state_file_close(&rf);
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_free(&aggs[k]);
    unlink(path);
    unlink(path1);
}

/*
 * What an attacker with write access to the directory could place there
 * is not read; values that are not finite joules are refused line by
 * line; a file that cannot be read is reported and the other one used;
 * files shrink when aggregates leave.
 */
static void
test_trust(void)
{
    char dir[] = "/tmp/procpower-trust-XXXXXX", path[128], path1[128], t[512];
    pp_state st;
    pp_state_file rf, wf;
    pp_aggset aggs[PP_NAGG];
    pp_sources src;
    double unattr = 1;
    pp_state sw = { aggs, &src, &unattr, NULL, 0, 0, NULL, NULL, 0 };
    long big, small;
    int k, i;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/state", dir);
    snprintf(path1, sizeof(path1), "%s/state.1", dir);
    pp_state_file_init(&rf);

    /* non-finite and out-of-range values: those lines only are left out */
    put(path, "procpower-state 1 5\nunattributed inf\nsource nan rapl\n"
	"source 1e300 psys\nsource 4 battery\nids 0 2147483648\n"
	"ids 1 99999999999999999999\nagg 0 2147483648 1 2 big\n"
	"agg 0 3 1 inf t\nagg 0 4 5 2 ok\nagg 0 5 0x10 2 hex\n");
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) == 2);		/* battery, ok */
    CHECK(rf.refused == 8);
    CHECK(unattr2 == 0 && src2.n == 1);
    CHECK(back[0].count == 1 && back[0].next_id == 5);
    /* the model, restored, is the model (not a sensor gone missing) */
    put(path, "procpower-state 1 5\nsource 7 model\n");
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) == 1);
    CHECK(src2.n == 1 && strcmp(src2.s[0].name, "model") == 0 &&
	  src2.s[0].kind == PP_KIND_MODEL && src2.s[0].cls == PP_CLASS_MODEL);
    /* the state file's time must be finite too */
    put(path, "procpower-state 1 inf\nunattributed 3\n");
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) == -1);
    CHECK(rf.problem[0] == PP_STATE_NOT_STATE);

    /* a FIFO: refused at once, not waited on; a link: not followed */
    unlink(path);
    CHECK(mkfifo(path, 0644) == 0);
    put(path1, "procpower-state 1 5\nunattributed 3\n");
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) == 1);		/* the other one */
    CHECK(rf.problem[0] == PP_STATE_NOT_FILE && rf.loaded == 1);
    NEAR(unattr2, 3, 0);
    unlink(path);
    snprintf(t, sizeof(t), "%s/elsewhere", dir);
    put(t, "procpower-state 1 9\nunattributed 7\n");
    CHECK(symlink(t, path) == 0);
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) == 1);
    CHECK(rf.problem[0] == PP_STATE_NOT_FILE && rf.loaded == 1);
    NEAR(unattr2, 3, 0);				/* not 7 */
    /* nor written through */
    pp_state_file_init(&wf);
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_init(&aggs[k]);
    pp_sources_init(&src);
    wf.next = 0;
    CHECK(pp_state_save(&wf, path, &sw, 10) == 0);	/* into path.1 */
    slurp(path1, t, sizeof(t));
    CHECK(strstr(t, "\nunattributed 1.000000\n") != NULL);
    put(path1, "procpower-state 1 5\nunattributed 3\n");
    st = empty();
    pp_state_file_init(&rf);
    snprintf(t, sizeof(t), "%s/elsewhere", dir);
    slurp(t, t, sizeof(t));
    CHECK(strstr(t, "unattributed 7") != NULL);
    pp_state_file_close(&wf);
    unlink(path);
    snprintf(t, sizeof(t), "%s/elsewhere", dir);
    unlink(t);

    /* a file of another user: left alone (only root can make one here) */
    if (geteuid() == 0) {
	put(path, "procpower-state 1 9\nunattributed 7\n");
	CHECK(chown(path, 65534, 65534) == 0);
	st = empty();
	CHECK(pp_state_load(&rf, path, &st) == 1);
	CHECK(rf.problem[0] == PP_STATE_NOT_OWNER && rf.loaded == 1);
	unlink(path);
    }
    /* one cut short: reported, the other used */
    put(path, "procpower-state 3 50\nunattributed 9\n");
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) == 1);
    CHECK(rf.problem[0] == PP_STATE_TRUNCATED && rf.problem[1] == PP_STATE_OK);
    NEAR(unattr2, 3, 0);
    unlink(path);
    unlink(path1);

    /* the files shrink when aggregates leave */
    pp_state_file_init(&wf);
    for (i = 0; i < 20000; i++) {
	snprintf(t, sizeof(t), "a-rather-long-command-name-%d", i);
	pp_agg_add(pp_agg_get(&aggs[0], t), 0, i, 1);
    }
    CHECK(pp_state_save(&wf, path, &sw, 10) == 0);
    CHECK(pp_state_save(&wf, path, &sw, 11) == 0);
    big = file_size(path);
    pp_aggset_expire(&aggs[0], 1e9, 1);
    CHECK(aggs[0].count == 0);
    CHECK(pp_state_save(&wf, path, &sw, 12) == 0);
    CHECK(pp_state_save(&wf, path, &sw, 13) == 0);
    small = file_size(path);
    CHECK(big > 500000 && small <= 65536 && file_size(path1) <= 65536);
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) == 1 && rf.refused == 0);
    /* one file cannot be written (a FIFO put in its place): the other is */
    pp_state_file_close(&wf);
    pp_state_file_init(&wf);
    unlink(path);
    CHECK(mkfifo(path, 0644) == 0);
    CHECK(pp_state_save(&wf, path, &sw, 14) == 0);
    CHECK(pp_state_save(&wf, path, &sw, 15) == 0);
    slurp(path1, t, sizeof(t));
    CHECK(strncmp(t, "procpower-state 3 15.000\n", 25) == 0);
    pp_state_file_close(&wf);

    /* the newer file by the count of saves, not by the clock: a save
       after the clock was stepped back an hour is still the newer */
    unlink(path);
    unlink(path1);
    pp_state_file_init(&wf);
    unattr = 10;
    CHECK(pp_state_save(&wf, path, &sw, 5000) == 0);
    unattr = 11;
    CHECK(pp_state_save(&wf, path, &sw, 5000 - 3600) == 0);
    st = empty();
    CHECK(pp_state_load(&rf, path, &st) >= 1);
    NEAR(unattr2, 11, 1e-9);
    CHECK(rf.seq == 2 && rf.next == 0);
    pp_state_file_close(&wf);
    pp_state_file_close(&rf);
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_free(&aggs[k]);
    unlink(path);
    unlink(path1);
    rmdir(dir);
}

int
main(void)
{
    char path[] = "/tmp/procpower-state-XXXXXX", path1[64], text[256];
    int fd = mkstemp(path), k, i;
    pp_aggset aggs[PP_NAGG];
    pp_sources src;
    double unattr = 12.5;
    pp_state st = { aggs, &src, &unattr, NULL, 0, 0, NULL, NULL, 0 }, st2;
    pp_state_file wf, rf;
    pp_agg *a;
    long full;

    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(path1, sizeof(path1), "%s.1", path);
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_init(&aggs[k]);
	pp_aggset_init(&back[k]);
    }
    pp_sources_init(&src);
    pp_state_file_init(&wf);
    pp_state_file_init(&rf);

    pp_sources_adopt(&src, "rapl")->energy = 1234.5;
    pp_sources_adopt(&src, "battery-0")->energy = 99;
    pp_agg_get(&aggs[PP_AGG_COMMAND], "make");
    a = pp_agg_get(&aggs[PP_AGG_COMMAND], "cc1 plus");	/* a space */
    a->energy = 500.25;
    a->last_active = 1000;
    pp_agg_get(&aggs[PP_AGG_CGROUP], "/system.slice/x.service")->energy = 7;
    pp_agg_get(&aggs[PP_AGG_COMMAND], "two\nlines");	/* left out */

    /* no file yet: nothing, no error */
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 0);

    CHECK(pp_state_save(&wf, path, &st, 2000) == 0);
    CHECK(file_size(path) > 0 && file_size(path1) < 0);	/* one written */
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 6);
    NEAR(unattr2, 12.5, 1e-6);
    CHECK(pp_sources_find(&src2, "rapl") >= 0);
    NEAR(src2.s[pp_sources_find(&src2, "rapl")].energy, 1234.5, 1e-6);
    CHECK(src2.s[0].present == 0);	/* until a discovery finds it */
    a = pp_agg_get(&back[PP_AGG_COMMAND], "cc1 plus");
    CHECK(a->id == 1);
    NEAR(a->energy, 500.25, 1e-6);
    NEAR(a->last_active, 1000, 1e-3);
    CHECK(pp_agg_get(&back[PP_AGG_COMMAND], "make")->id == 0);
    /* new aggregates get ids after the restored ones */
    CHECK(pp_agg_get(&back[PP_AGG_COMMAND], "ld")->id >= 3);
    NEAR(pp_agg_get(&back[PP_AGG_CGROUP], "/system.slice/x.service")->energy,
	 7, 1e-6);
    CHECK(rf.next == 1);		/* it would keep the file it read */

    /*
     * What the agent exports of an energy (pp_state_joules) is what a load
     * restores, bit for bit, for any value: a counter never goes back over
     * a restart, not by a microjoule's rounding either.
     */
    {
	pp_agg *b = pp_agg_get(&aggs[PP_AGG_COMMAND], "cc1 plus");
	double keep_unattr = unattr, keep_energy = b->energy, v, x;
	unsigned int seed = 12345;
	int bad = 0, t;
	for (t = 0; t < 2000; t++) {
	    seed = seed * 1103515245u + 12345u;
	    v = (seed % 1000000007u) * ldexp(1.0, -(int)(seed % 40)) +
		(seed % 97) * 1e-7;
	    if (t % 7 == 0)
		v = (seed % 100000) / 1e6 + 0.0000005;	/* at a half unit */
	    unattr = v;
	    b->energy = v * 3;
	    CHECK(pp_state_save(&wf, path, &st, 1500) == 0);
	    st2 = empty();
	    CHECK(pp_state_load(&rf, path, &st2) == 6);
	    x = pp_agg_get(&back[PP_AGG_COMMAND], "cc1 plus")->energy;
	    bad += unattr2 != pp_state_joules(v) || x != pp_state_joules(v * 3);
	    /* monotone: a larger value never exports as a smaller one */
	    bad += pp_state_joules(nextafter(v, INFINITY)) < pp_state_joules(v);
	}
	CHECK(bad == 0);
	NEAR(pp_state_joules(1.2345674), 1.234567, 1e-12);
	NEAR(pp_state_joules(1.2345676), 1.234568, 1e-12);
	CHECK(pp_state_joules(-1) == -1);	/* not a state's value: as is */
	unattr = keep_unattr;
	b->energy = keep_energy;
    }

    /* the second save goes to the other file; the newer one is read */
    unattr = 20;
    CHECK(pp_state_save(&wf, path, &st, 2010) == 0);
    CHECK(file_size(path1) > 0);
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 6);
    NEAR(unattr2, 20, 1e-6);
    CHECK(rf.next == 0);
    /* many saves, no file grows: each is rewritten in place */
    full = file_size(path);
    for (i = 0; i < 100; i++)
	CHECK(pp_state_save(&wf, path, &st, 2020 + i) == 0);
    CHECK(file_size(path) == full && file_size(path1) == full);
    st2 = empty();
    pp_state_load(&rf, path, &st2);
    NEAR(unattr2, 20, 1e-6);

    /* the newer file torn (a byte changed): the older whole one is read */
    unattr = 30;
    CHECK(pp_state_save(&wf, path, &st, 3000) == 0);	/* to path */
    unattr = 31;
    CHECK(pp_state_save(&wf, path, &st, 3001) == 0);	/* to path.1 */
    tear(path1);
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 6);
    NEAR(unattr2, 30, 1e-6);
    CHECK(rf.next == 1);		/* the torn one is written over first */
    /* both torn: nothing restored, and it says so */
    tear(path);
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == -1);
    CHECK(unattr2 == 0 && src2.n == 0 && back[0].count == 0);

    /* a shorter text over a longer one: the remains after "end" are left
       out even when they were not cleared (a kill between the two) */
    pp_state_file_close(&wf);
    pp_state_file_init(&wf);
    unlink(path1);
    CHECK(pp_state_save(&wf, path, &st, 4000) == 0);
    full = file_size(path);
    pp_agg_get(&aggs[PP_AGG_COMMAND], "make")->last_active = 1;
    pp_agg_get(&aggs[PP_AGG_COMMAND], "two\nlines")->last_active = 1;
    pp_aggset_expire(&aggs[PP_AGG_COMMAND], 1e12, 1);	/* all commands go */
    CHECK(aggs[PP_AGG_COMMAND].count == 0);
    wf.next = 0;
    wf.used[0] = 0;		/* as if the remains had not been cleared */
    CHECK(pp_state_save(&wf, path, &st, 4001) == 0);
    CHECK(file_size(path) == full);
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 4);	/* no commands restored */
    CHECK(back[PP_AGG_COMMAND].count == 0);
    /* normally the remains are cleared: zeros after the "end" line */
    wf.next = 0;
    wf.used[0] = (size_t)full;
    CHECK(pp_state_save(&wf, path, &st, 4002) == 0);
    {
	FILE *fp = fopen(path, "r");
	char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf), fp), i, zeros = 0;
	const char *end;
	fclose(fp);
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	end = strstr(buf, "\nend ");
	CHECK(end != NULL);
	if (end != NULL) {
	    end = strchr(end + 1, '\n') + 1;
	    for (i = (size_t)(end - buf); i < n; i++)
		zeros += buf[i] == '\0';
	    CHECK(zeros == n - (size_t)(end - buf) && zeros > 0);
	}
    }
    /* the file is written to from outside (cut short): written whole
       again, not through a stale mapping */
    CHECK(truncate(path, 10) == 0);
    wf.next = 0;
    CHECK(pp_state_save(&wf, path, &st, 4003) == 0);
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 4);

    /* numbers written as printf would, huge ones too; read back */
    {
	char buf[8192];
	FILE *fp;
	size_t n;
	pp_sources big;
	pp_state sb = { aggs, &big, &unattr, NULL, 0, 0, NULL, NULL, 0 };
	pp_state_file bf;

	pp_sources_init(&big);
	pp_sources_adopt(&big, "a")->energy = 1234.5;
	pp_sources_adopt(&big, "b")->energy = 3e15;	/* beyond 2^53 uJ */
	pp_sources_adopt(&big, "c")->energy = 0.1 + 0.2;
	pp_sources_adopt(&big, "d")->energy = 7;
	pp_state_file_init(&bf);
	unlink(path);
	unlink(path1);
	CHECK(pp_state_save(&bf, path, &sb, 6000.25) == 0);
	fp = fopen(path, "r");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	CHECK(strstr(buf, "procpower-state 3 6000.250\n") == buf);
	CHECK(strstr(buf, "\nsource 1234.500000 a\n") != NULL);
	CHECK(strstr(buf, "\nsource 3000000000000000.000000 b\n") != NULL);
	CHECK(strstr(buf, "\nsource 0.300000 c\n") != NULL);
	CHECK(strstr(buf, "\nsource 7.000000 d\n") != NULL);
	CHECK(strstr(buf, "\nagg 2 0 7.000000 ") != NULL);
	pp_state_file_close(&bf);
	unlink(path);
    }

    /* a counter's last reading and its time, for a restart's gap */
    {
	pp_sources cs;
	pp_state sc = { aggs, &cs, &unattr, NULL, 0, 0, NULL, NULL, 0 };
	pp_state_file cf;
	pp_source *c;
	int j;

	pp_sources_init(&cs);
	c = pp_sources_adopt(&cs, "rapl.package-0");
	c->kind = PP_KIND_COUNTER;
	c->counter.primed = 1;
	c->counter.last = 262000.123456;
	c->t_read = 1796000000.25;
	c->energy = 50;
	pp_sources_adopt(&cs, "battery-0")->kind = PP_KIND_GAUGE;	/* none */
	pp_state_file_init(&cf);
	unlink(path);
	unlink(path1);
	CHECK(pp_state_save(&cf, path, &sc, 7000) == 0);
	slurp(path, text, sizeof(text));
	CHECK(strstr(text, "\ncounter 262000.123456 1796000000.250000 rapl.package-0\n") != NULL);
	CHECK(strstr(text, "counter 0") == NULL);
	st2 = empty();
	pp_state_load(&rf, path, &st2);
	j = pp_sources_find(&src2, "rapl.package-0");
	CHECK(j >= 0 && rf.refused == 0);
	if (j >= 0) {
	    NEAR(src2.s[j].gap_raw, 262000.123456, 1e-6);
	    NEAR(src2.s[j].gap_time, 1796000000.25, 1e-6);
	    NEAR(src2.s[j].energy, 50, 1e-6);
	    CHECK(src2.s[j].counter.primed == 0);	/* primed by the gap */
	}
	pp_state_file_close(&cf);
	unlink(path);
    }

    /* a version 1 file (no checksum), as earlier agents wrote */
    unlink(path1);
    put(path, "procpower-state 1 5\nunattributed 3\nsource 4 rapl\n");
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 2);
    NEAR(unattr2, 3, 0);
    /* not a state file: nothing restored */
    put(path, "hello\nsource 5 rapl\n");
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == -1);
    CHECK(src2.n == 0);
    /* a truncated last line and junk are skipped */
    put(path, "procpower-state 1 5\nunattributed 3\nagg 9 1 2 3 x\n"
	"agg 0 1 -5 3 neg\nsource 4");
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 1);
    NEAR(unattr2, 3, 0);
    CHECK(src2.n == 0);
    CHECK(back[0].count == 0);
    /* version 2 with no "end" line (cut short): not whole */
    put(path, "procpower-state 2 5\nunattributed 3\n");
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == -1);
    /* a version 2 file, its 32-bit checksum, as the last agent wrote */
    snprintf(text, sizeof(text), "procpower-state 2 5\nunattributed 3\n"
	     "agg 0 4 2.5 1.000 ls\n");
    snprintf(text + strlen(text), sizeof(text) - strlen(text), "end %08x\n",
	     fnv1a(text, strlen(text)));
    put(path, text);
    st2 = empty();
    CHECK(pp_state_load(&rf, path, &st2) == 2);
    CHECK(back[0].count == 1 && back[0].byid[0]->id == 4);
    NEAR(back[0].byid[0]->last_active, 1, 0);
    text[strlen(text) - 2] ^= 1;	/* its checksum wrong */
    put(path, text);
    CHECK(pp_state_load(&rf, path, &st2) == -1);
    /* a future version: not ours to read */
    snprintf(text, sizeof(text), "procpower-state 4 5\nunattributed 3\n");
    put(path, text);
    CHECK(pp_state_load(&rf, path, &st2) == -1);

    /* the file removed while the agent runs: written again */
    pp_state_file_close(&wf);
    pp_state_file_init(&wf);
    CHECK(pp_state_save(&wf, path, &st, 5000) == 0);
    CHECK(pp_state_save(&wf, path, &st, 5001) == 0);
    unlink(path);
    unlink(path1);
    CHECK(pp_state_save(&wf, path, &st, 5002) == 0);
    CHECK(file_size(path) > 0);
    /* an unwritable place: an error, no crash */
    pp_state_file_close(&wf);
    pp_state_file_init(&wf);
    CHECK(pp_state_save(&wf, "/nonexistent/dir/state", &st, 1) < 0);

    unlink(path);
    unlink(path1);
    pp_state_file_close(&wf);
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_free(&aggs[k]);
	pp_aggset_free(&back[k]);
    }
    test_lines();
    test_gap_lines();
    test_trust();
    return unit_done("test_state");
}
