/*
 * tlsprofile.h - TLS profiles as data (data/tls-profiles.yml, compiled in; or a file of the
 * same shape): each grades the versions, suites, groups and DH sizes of a server's TLS map
 * (check --tls-scan --tls-profile NAME), every grade carrying the severity the profile
 * gives it. Loading checks every name against the suite table and the profile's own
 * grades, and names the file and line of what it refuses.
 */
#ifndef MAILTLS_TLSPROFILE_H
#define MAILTLS_TLSPROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "model/findings.h"
#include "model/tlsmap.h"

#define TP_GRADES_MAX 8
#define TP_RULES_MAX 64
#define TP_NAMES_MAX 64 /* suites one rule names */
#define TP_GROUPS_MAX 32
#define TP_DH_MAX 8
#define TP_PROFILES_MAX 32

/* One rule: a suite matches when it is among ids (when any are named), or when each
 * property mask is 0 or has the suite's value (bit = the enum value of model/suites.h). */
struct tp_rule {
	uint32_t kx, auth, enc, mode, mac;
	uint16_t ids[TP_NAMES_MAX];
	size_t nids;
	int grade;
};

struct tls_profile {
	char *name, *title;
	struct {
		char *name;
		enum severity sev;
	} grade[TP_GRADES_MAX];
	size_t ngrades;
	int version[TLSMAP_VERSIONS]; /* grade per version; the last grade when not listed */
	struct tp_rule rule[TP_RULES_MAX];
	size_t nrules;
	struct {
		uint16_t id;
		int grade;
	} group[TP_GROUPS_MAX];
	size_t ngroups;
	struct {
		int bits;
		int grade;
	} dh[TP_DH_MAX]; /* the first whose bits the prime reaches */
	size_t ndh;
};

struct tls_profiles {
	struct tls_profile v[TP_PROFILES_MAX];
	size_t n;
};

/* The built-in profiles (path NULL), or those of the YAML file at path. 0, or -1 with err
 * naming the file, the line and what is wrong. */
int tlsprofiles_load(struct tls_profiles *, const char *path, char *err, size_t errlen);
const struct tls_profile *tlsprofiles_find(const struct tls_profiles *, const char *name);
/* "ncsc, mozilla-intermediate, ..." into buf. */
void tlsprofiles_names(const struct tls_profiles *, char *buf, size_t len);
void tlsprofiles_free(struct tls_profiles *);

/* Grades (indexes into grade[]). Pure. */
int tlsprofile_suite(const struct tls_profile *, uint16_t suite);
int tlsprofile_group(const struct tls_profile *, uint16_t group);
int tlsprofile_dh(const struct tls_profile *, int bits);
/* Grade everything map accepts into map->grades; the overall grade is the worst. */
void tlsprofile_grade(const struct tls_profile *, struct tls_map *);

#endif
