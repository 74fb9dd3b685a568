# 031_evm_fuzz: builds the libFuzzer harnesses of the hex, ABI and RLP
# decoders (make fuzz, clang with ASan and UBSan) into a scratch directory
# and runs each for a few seconds from the seed corpus in test/fuzz/corpus.
# A crash, a sanitizer report or a broken round-trip property fails the
# harness's test and prints the reproducer.  AMP_FUZZ_SECONDS changes the
# time per harness (default 5).
use strict;
use warnings;

use File::Copy qw(copy);
use PostgreSQL::Test::Utils;
use Test::More;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $seconds = $ENV{AMP_FUZZ_SECONDS} // 5;
my $out = PostgreSQL::Test::Utils::tempdir();

my ($stdout, $stderr);
my $built = IPC::Run::run(
	[ 'make', '--no-print-directory', '-C', $root, '-f', "$root/test/fuzz/fuzz.mk", 'fuzz',
	  "FUZZ_OUT=$out", 'PG_CONFIG=' . ($ENV{PG_CONFIG} // 'pg_config') ],
	'>', \$stdout, '2>', \$stderr);
ok($built, 'make fuzz builds the harnesses') or diag("$stdout\n$stderr");

foreach my $h (qw(hex abi rlp))
{
	# libFuzzer adds what it finds to the corpus directory: work on a copy
	my $corpus = "$out/corpus_$h";
	mkdir $corpus;
	opendir(my $dh, "$root/test/fuzz/corpus/$h") or die "no seed corpus for $h: $!";
	my @seeds = grep { -f "$root/test/fuzz/corpus/$h/$_" } readdir($dh);
	closedir($dh);
	copy("$root/test/fuzz/corpus/$h/$_", "$corpus/$_") for @seeds;

	my ($o, $e);
	my $ran = IPC::Run::run(
		[ "$out/fuzz_$h", $corpus, "-max_total_time=$seconds", '-rss_limit_mb=2048',
		  "-artifact_prefix=$out/$h-" ],
		'>', \$o, '2>', \$e);
	my ($runs) = $e =~ /Done (\d+) runs/;
	ok($ran && defined $runs,
		"fuzz_$h ran ${seconds}s from " . scalar(@seeds) . " seeds without a finding"
		  . (defined $runs ? " ($runs runs)" : ''))
	  or diag(join("\n", grep { /ERROR|SUMMARY|runtime error|property violated|Test unit|Base64/ } split /\n/, $e));
}

done_testing();
