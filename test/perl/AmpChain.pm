# test/perl/AmpChain.pm: the local chain fixture for Perl TAP tests: a
# private anvil on a free loopback port, the fixture deployed into it
# (test/chain/deploy.js), traffic (test/chain/traffic.js), JSON-RPC and
# contract calls.
#
#   my $chain = AmpChain->new;                 # anvil started, answering
#   my $d = $chain->deploy;                    # the deployment, decoded
#   my $s = $chain->traffic(rounds => 5);      # traffic.js's summary, decoded
#   $chain->rpc('eth_blockNumber');            # a JSON-RPC result
#   my ($rate) = $chain->call($d->{tokens}{wstETH}{address}, 'stEthPerToken() view returns (uint256)');
#   my $r = $chain->send($from, $to, 'setAnswer(int256)', 42);
#   $chain->url;  $chain->stop;                # also on destruction and at END
#   $chain->restart;                           # a fresh, empty anvil on the same port
#
# new() takes block_time => N (interval mining instead of automine),
# args => [...] (more anvil options) and chain_id (default 31337). The
# source tree is $AMP_ROOT, else the current directory. Node must be on
# PATH. Everything written (anvil's log, the deployment, summaries, the
# compile cache when test/chain/build is not writable) goes to a temp
# directory, kept when AMP_KEEP=1; nothing in the source tree is written.
package AmpChain;

use strict;
use warnings;

use Carp;
use Cwd qw(abs_path getcwd);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(time sleep);

my %LIVE;    # anvil pid => the pid of the process that started it
my $JSON = JSON::PP->new->utf8->canonical;

# The source tree.
sub root
{
	return abs_path($ENV{AMP_ROOT} // getcwd());
}

# Starts anvil and waits until it answers.
sub new
{
	my ($class, %opts) = @_;
	my $root = abs_path($opts{root} // root());
	my $anvil = $ENV{AMP_ANVIL}
	  // "$root/test/chain/node_modules/\@foundry-rs/anvil-linux-amd64/bin/anvil";
	croak "AmpChain: no anvil at $anvil (run scripts/deps.sh)" unless -x $anvil;
	my $dir = tempdir('ampchain-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{AMP_KEEP});
	my $self = bless {
		root => $root,
		anvil => $anvil,
		dir => $dir,
		chain_id => $opts{chain_id} // 31337,
		owner => $$,
		http => HTTP::Tiny->new(timeout => 30),
		seq => 0,
	}, $class;
	my @args = ('--chain-id', $self->{chain_id});
	push @args, '--block-time', $opts{block_time} if $opts{block_time};
	push @args, @{ $opts{args} } if $opts{args};
	$self->{args} = \@args;

	# A free port can be taken between our probe and anvil's bind: retry.
	my $err = '';
	for my $attempt (1 .. 5)
	{
		my $port = free_port();
		$self->{port} = $port;
		$self->{url} = "http://127.0.0.1:$port";
		$self->{log} = "$dir/anvil-$attempt.log";
		$self->_spawn(@args);
		return $self if $self->_wait_ready(30);
		$err = $self->_log_tail($self->{log});
		$self->stop;
	}
	croak "AmpChain: anvil did not start; its log:\n$err";
}

# Stops anvil and starts a new, empty one (same chain id and options) on the
# same port and URL: a node reset under the feet of whoever uses it, as when
# a development chain is restarted. The deployment is forgotten.
sub restart
{
	my ($self) = @_;
	$self->stop;
	delete @$self{qw(deployment deployment_file)};
	my $err = '';
	for my $attempt (1 .. 5)
	{
		$self->{log} = "$self->{dir}/anvil-restart-" . ++$self->{restarts} . '.log';
		$self->_spawn(@{ $self->{args} });
		return $self if $self->_wait_ready(30);
		$err = $self->_log_tail($self->{log});
		$self->stop;
		sleep 0.5;    # the port may linger for a moment
	}
	croak "AmpChain: anvil did not restart on port $self->{port}; its log:\n$err";
}

# A TCP port on 127.0.0.1 that was free a moment ago.
sub free_port
{
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
		Proto => 'tcp', Listen => 1, ReuseAddr => 0)
	  or croak "AmpChain: cannot find a free port: $!";
	my $port = $s->sockport;
	close $s;
	return $port;
}

sub _spawn
{
	my ($self, @args) = @_;
	my $pid = fork;
	croak "AmpChain: fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', $self->{log}) or POSIX::_exit(126);
		# anvil keeps block states under $HOME/.foundry and never removes
		# them: point it at the temp directory, removed with it.
		$ENV{HOME} = "$self->{dir}/home";
		mkdir $ENV{HOME};
		open(STDERR, '>&', \*STDOUT);
		exec($self->{anvil}, '--host', '127.0.0.1', '--port', $self->{port}, @args)
		  or POSIX::_exit(127);
	}
	$self->{pid} = $pid;
	$LIVE{$pid} = $$;
}

# Polls eth_chainId until anvil answers with our chain id.
sub _wait_ready
{
	my ($self, $timeout) = @_;
	my $until = time + $timeout;
	while (time < $until)
	{
		return 0 if waitpid($self->{pid}, WNOHANG) == $self->{pid};
		my $r = eval { $self->rpc('eth_chainId') };
		return 1 if defined $r && hex($r) == $self->{chain_id};
		sleep 0.1;
	}
	return 0;
}

sub _log_tail
{
	my ($self, $file) = @_;
	open(my $fh, '<', $file) or return "(no log at $file)";
	my @lines = <$fh>;
	close $fh;
	splice(@lines, 0, @lines - 30) if @lines > 30;
	return join('', @lines);
}

sub url  { $_[0]{url} }
sub port { $_[0]{port} }
sub dir  { $_[0]{dir} }
sub pid  { $_[0]{pid} }

# One JSON-RPC call; returns the decoded result, dies on an error object or
# an HTTP failure.
sub rpc
{
	my ($self, $method, $params) = @_;
	my $body = $JSON->encode({ jsonrpc => '2.0', id => ++$self->{seq}, method => $method,
		params => $params // [] });
	my $res = $self->{http}->post($self->{url},
		{ headers => { 'content-type' => 'application/json' }, content => $body });
	croak "AmpChain: rpc $method: HTTP $res->{status} $res->{reason}"
	  . ($res->{status} == 599 ? ": $res->{content}" : '')
	  unless $res->{success};
	my $j = eval { $JSON->decode($res->{content}) };
	croak "AmpChain: rpc $method: undecodable answer: $res->{content}" unless ref $j eq 'HASH';
	croak "AmpChain: rpc $method: $j->{error}{message}" if $j->{error};
	return $j->{result};
}

# Runs a script of test/chain with node; returns its standard output. Its
# standard error goes to node.log in the temp directory, shown on failure.
sub _node
{
	my ($self, $script, @args) = @_;
	my $log = "$self->{dir}/node.log";
	my $path = "$self->{root}/test/chain/$script";
	my $pid = open(my $fh, '-|');
	croak "AmpChain: fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDERR, '>>', $log) or POSIX::_exit(126);
		print STDERR "---- node $script @args\n";
		exec('node', $path, @args) or POSIX::_exit(127);
	}
	local $/;
	my $out = <$fh>;
	close $fh;
	if ($? != 0)
	{
		my $why = $? == 127 << 8 ? ' (is node on PATH?)' : '';
		croak sprintf("AmpChain: node %s failed (exit %d)%s; log:\n%s",
			$script, $? >> 8, $why, $self->_log_tail($log));
	}
	return $out;
}

sub _read_json
{
	my ($file) = @_;
	open(my $fh, '<', $file) or croak "AmpChain: cannot read $file: $!";
	local $/;
	my $text = <$fh>;
	close $fh;
	return $JSON->decode($text);
}

# Deploys the fixture; returns the deployment (as deploy.js writes it) and
# keeps it for traffic(). out => FILE chooses where it is written.
sub deploy
{
	my ($self, %opts) = @_;
	my $out = $opts{out} // "$self->{dir}/deployment.json";
	$self->_node('deploy.js', '--rpc', $self->{url}, '--out', $out);
	$self->{deployment_file} = $out;
	return $self->{deployment} = _read_json($out);
}

sub deployment      { $_[0]{deployment} }
sub deployment_file { $_[0]{deployment_file} }

# Runs traffic.js on the deployment: rounds (default 5), seed (default
# $AMP_SEED, else random), mine => 1 for an evm_mine after every round.
# Returns the summary.
sub traffic
{
	my ($self, %opts) = @_;
	croak 'AmpChain: traffic before deploy' unless $self->{deployment_file};
	my $n = ++$self->{traffic_runs};
	my $out = "$self->{dir}/traffic-$n.json";
	my @args = ('--rpc', $self->{url}, '--deployment', $self->{deployment_file},
		'--rounds', $opts{rounds} // 5, '--out', $out);
	my $seed = $opts{seed} // $ENV{AMP_SEED};
	push @args, '--seed', $seed if defined $seed;
	push @args, '--mine' if $opts{mine};
	$self->_node('traffic.js', @args);
	return _read_json($out);
}

# Runs a list of calls and transactions through call.js (see there);
# returns the list of answers.
sub calls
{
	my ($self, $reqs) = @_;
	my $file = "$self->{dir}/calls-" . ++$self->{seq} . '.json';
	open(my $fh, '>', $file) or croak "AmpChain: cannot write $file: $!";
	print $fh $JSON->encode($reqs);
	close $fh;
	my $out = $self->_node('call.js', '--rpc', $self->{url}, $file);
	unlink $file;
	return $JSON->decode($out);
}

# One view call: the decoded return values as a list (integers as decimal
# strings). Dies if the call fails.
sub call
{
	my ($self, $to, $sig, @args) = @_;
	my ($r) = @{ $self->calls([ { to => $to, sig => $sig, args => \@args } ]) };
	croak "AmpChain: call $sig on $to: $r->{error}" if $r->{error};
	return wantarray ? @{ $r->{result} } : $r->{result}[0];
}

# One transaction from an unlocked account: {status, block, tx, logs} or
# {error} if it reverted.
sub send
{
	my ($self, $from, $to, $sig, @args) = @_;
	my ($r) = @{ $self->calls([ { send => JSON::PP::true, from => $from, to => $to,
		sig => $sig, args => \@args } ]) };
	return $r;
}

# Stops anvil (TERM, then KILL after 5 s). Only the process that started
# it does, so a forked child exiting leaves it alone.
sub stop
{
	my ($self) = @_;
	my $pid = delete $self->{pid};
	return unless $pid && $self->{owner} == $$;
	delete $LIVE{$pid};
	kill 'TERM', $pid;
	my $until = time + 5;
	while (time < $until)
	{
		return if waitpid($pid, WNOHANG) != 0;
		sleep 0.05;
	}
	kill 'KILL', $pid;
	waitpid($pid, 0);
}

sub DESTROY
{
	my ($self) = @_;
	local ($., $@, $!, $^E, $?);
	$self->stop;
}

END
{
	local $?;
	for my $pid (keys %LIVE)
	{
		next unless $LIVE{$pid} == $$;
		kill 'TERM', $pid;
		waitpid($pid, 0);
	}
}

1;
