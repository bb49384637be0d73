/*
 * fuzz_input - the fuzzer's bytes as an fd, a string or a file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz_input.h"

volatile size_t fuzz_sink;

/* write_all - all of data to fd; -1 on a short write */
static int write_all(int fd, const uint8_t *data, size_t size)
{
	ssize_t n;

	while (size > 0) {
		n = write(fd, data, size);
		if (n <= 0)
			return -1;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

int fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write_all(fd, data, size) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char dir[64], path[128];

/* remove_dir - at exit, the folder and the one file written in it */
static void remove_dir(void)
{
	if (path[0] != '\0')
		(void)unlink(path);
	(void)rmdir(dir);
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	int fd;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/affild-fuzz-XXXXXX");
		if (mkdtemp(dir) == NULL || atexit(remove_dir) != 0)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if (write_all(fd, data, size) < 0) {
		close(fd);
		return NULL;
	}
	return close(fd) < 0 ? NULL : path;
}
