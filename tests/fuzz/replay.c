/*
 * replay.c - a main() for the fuzz targets without libFuzzer: runs every file named on the
 * command line (or found in a directory named there) through LLVMFuzzerTestOneInput once.
 * `make test` builds each target with it under ASan/UBSan and replays the seed corpus and
 * every saved crash input: a deterministic regression test. Prints the number of inputs.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static size_t replayed;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	/* Exactly n bytes (1 for an empty file): ASan sees any read past the input. */
	buf = malloc(n ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	replayed++;
	return 0;
}

static int replay_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int n, rc = 0;

	if (stat(path, &st) != 0)
		return 0; /* a target with no crash inputs has no such directory */
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char sub[4096];

		if (ents[i]->d_name[0] != '.' && rc == 0) {
			snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
			rc = replay_path(sub);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i]) != 0)
			return 1;
	printf("%zu inputs\n", replayed);
	return 0;
}
