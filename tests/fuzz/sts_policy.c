/*
 * sts_policy.c - an MTA-STS policy body exactly as an HTTPS server sent it (NULs, CRs and
 * all, never NUL-terminated), then every mx: pattern it yields matched against a host
 * name taken from the first line of the input. A body holding a NUL must never parse.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "mailpolicy/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	char host[300], err[200];
	struct sts_policy *sp = malloc(sizeof(*sp));
	size_t len;
	const uint8_t *body;
	char *copy;

	fuzz_line(&in, host, sizeof(host));
	body = fuzz_bytes(&in, in.n, &len);
	/* An exact-size copy: any read past len is a heap overflow ASan sees. */
	copy = malloc(len ? len : 1);
	memcpy(copy, body, len);
	if (records_sts_policy(copy, len, sp, err, sizeof(err)) == 0) {
		/* RFC 8461 3.2: a policy is text; one with a NUL must be refused. */
		if (memchr(copy, '\0', len) != NULL || sp->nmx > STS_MX_MAX)
			abort();
		for (size_t i = 0; i < sp->nmx; i++) {
			if (strnlen(sp->mx[i], sizeof(sp->mx[i])) == sizeof(sp->mx[i]))
				abort();
			(void)records_sts_mx_match(sp->mx[i], host);
		}
	} else if (strnlen(err, sizeof(err)) == sizeof(err)) {
		abort();
	}
	free(copy);
	free(sp);
	return 0;
}
