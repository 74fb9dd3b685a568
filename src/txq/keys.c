/*
 * src/txq/keys.c
 *
 * Key files of key_file signers: <amplified.keys_dir>/<lowercase 0x
 * address>.key, holding 64 hex digits (optionally 0x, surrounding
 * whitespace allowed).  A file is read only when it is a regular file, not
 * a symbolic link, owned by the server's OS user and closed to group and
 * others (mode & 077 == 0), checked with lstat before opening and again with
 * fstat on the descriptor opened with O_NOFOLLOW, so that it cannot be
 * swapped in between.  Its key must be valid and belong to the address the
 * file is named after.  Every buffer that held key material is wiped on
 * every path, before any error is raised; no message ever quotes the file's
 * contents.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amplified.h"
#include "txq/txq.h"

#define KEY_FILE_MAX	256		/* a key, a 0x, and generous whitespace */

/* Wipe n bytes at p in a way the compiler may not drop. */
void
TxqWipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

/* Parse the contents of a key file into key; false when malformed. */
static bool
ParseKeyText(const char *buf, size_t len, uint8 key[32])
{
	size_t		start = 0;
	size_t		end = len;

	while (start < end && (buf[start] == ' ' || buf[start] == '\t' || buf[start] == '\n' ||
						   buf[start] == '\r'))
		start++;
	while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == '\n' ||
						   buf[end - 1] == '\r'))
		end--;
	if (end - start >= 2 && buf[start] == '0' && (buf[start + 1] == 'x' || buf[start + 1] == 'X'))
		start += 2;
	if (end - start != 64)
		return false;
	return CodecHexDecode(buf + start, 64, key);
}

/*
 * Read the private key of address from its key file into key, after every
 * check the file must pass.  Raises an error (the key buffer wiped first)
 * when keys_dir is not set (55000), the file is missing (58P01), is a
 * symbolic link, not a regular file, not owned by the server's OS user or
 * open to group or others (42501), or does not hold the valid key of
 * address (22023).
 */
void
TxqLoadKeyFile(const uint8 address[20], uint8 key[32])
{
	char		name[ADDRESS_TEXT_LEN + 5];
	char	   *path;
	struct stat lst;
	struct stat fst;
	int			fd;
	char		buf[KEY_FILE_MAX + 1];
	ssize_t		n;
	size_t		total = 0;
	uint8		actual[20];
	bool		ok;

	TxqWipe(key, 32);
	if (AmpKeysDir == NULL || AmpKeysDir[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("amplified.keys_dir is not set"),
				 errhint("A superuser sets it, e.g. ALTER SYSTEM SET amplified.keys_dir = '/etc/amplified/keys', "
						 "then SELECT pg_reload_conf().")));

	name[0] = '0';
	name[1] = 'x';
	CodecHexEncode(address, 20, name + 2);
	memcpy(name + ADDRESS_TEXT_LEN, ".key", 5);
	path = psprintf("%s/%s", AmpKeysDir, name);

	if (lstat(path, &lst) != 0)
	{
		if (errno == ENOENT)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FILE),
					 errmsg("key file \"%s\" does not exist", path),
					 errhint("The key of a key_file signer is read from <amplified.keys_dir>/<lowercase address>.key.")));
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat key file \"%s\": %m", path)));
	}
	if (S_ISLNK(lst.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("key file \"%s\" is a symbolic link", path),
				 errdetail("Key files must be regular files; symbolic links are refused.")));
	if (!S_ISREG(lst.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("key file \"%s\" is not a regular file", path)));

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
	{
		if (errno == ELOOP)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("key file \"%s\" is a symbolic link", path),
					 errdetail("Key files must be regular files; symbolic links are refused.")));
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open key file \"%s\": %m", path)));
	}
	if (fstat(fd, &fst) != 0)
	{
		int			save = errno;

		close(fd);
		errno = save;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat key file \"%s\": %m", path)));
	}
	if (!S_ISREG(fst.st_mode) || fst.st_dev != lst.st_dev || fst.st_ino != lst.st_ino)
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("key file \"%s\" changed while it was being opened", path)));
	}
	if (fst.st_uid != geteuid())
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("key file \"%s\" is not owned by the server's OS user", path),
				 errdetail("It is owned by uid %u; the server runs as uid %u.",
						   (unsigned) fst.st_uid, (unsigned) geteuid())));
	}
	if ((fst.st_mode & 077) != 0)
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("key file \"%s\" is accessible to group or others (mode %04o)",
						path, (unsigned) (fst.st_mode & 07777)),
				 errhint("chmod 600 the file: only the server's OS user may read it.")));
	}
	if (fst.st_size > KEY_FILE_MAX)
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key file \"%s\" does not hold a private key", path),
				 errdetail("It is larger than %d bytes.", KEY_FILE_MAX)));
	}

	/* Read at most KEY_FILE_MAX + 1 bytes: more is malformed. */
	for (;;)
	{
		n = read(fd, buf + total, sizeof(buf) - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t) n;
		if (total == sizeof(buf))
			break;
	}
	if (n < 0)
	{
		int			save = errno;

		TxqWipe(buf, sizeof(buf));
		close(fd);
		errno = save;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read key file \"%s\": %m", path)));
	}
	close(fd);

	ok = total <= KEY_FILE_MAX && ParseKeyText(buf, total, key);
	TxqWipe(buf, sizeof(buf));
	if (!ok)
	{
		TxqWipe(key, 32);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key file \"%s\" does not hold a private key", path),
				 errdetail("A key file holds 64 hex digits, optionally prefixed with 0x and surrounded by whitespace.")));
	}
	if (!TxqKeyValid(key))
	{
		TxqWipe(key, 32);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key file \"%s\" does not hold a valid secp256k1 private key", path),
				 errdetail("A private key is a number between 1 and the curve order minus 1.")));
	}
	TxqAddressOfKey(key, actual);
	if (memcmp(actual, address, 20) != 0)
	{
		char		other[ADDRESS_TEXT_LEN + 1];

		TxqWipe(key, 32);
		AddressToChecksumText(actual, other);
		other[ADDRESS_TEXT_LEN] = '\0';
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key file \"%s\" holds the key of another address", path),
				 errdetail("The key is that of %s.", other)));
	}
}
