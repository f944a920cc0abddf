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

#define TP_CLIENT_SUITES_MAX 128

/* A sending client: what it offers, in its order. */
struct tls_client {
	char *name, *title;
	unsigned versions; /* bit per TLSMAP version index */
	uint16_t suites[TP_CLIENT_SUITES_MAX];
	size_t nsuites;
	uint16_t groups[TP_GROUPS_MAX];
	size_t ngroups;
	int certs[2]; /* TLSMAP_CERT_ECDSA / _RSA in its order; -1 for none */
};

struct tls_profiles {
	struct tls_profile v[TP_PROFILES_MAX];
	size_t n;
	struct tls_client c[TLSMAP_CLIENTS_MAX];
	size_t nc;
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

/* What client would negotiate with the server of map; holds[k] says whether the server
 * holds a certificate of kind k (TLSMAP_CERT_ECDSA, _RSA). Pure. */
void tlsclient_simulate(const struct tls_client *, const struct tls_map *, const int holds[2],
    struct tlsmap_client *out);

#endif
