# test/perl/RpcStub.pm: a misbehaving JSON-RPC node on loopback, for tests.
#
#   my $stub = RpcStub->new(chain_id => 31337);
#   my $url  = $stub->url('/ok');           # behaviour chosen by the path
#   $stub->requests('/429')                  # what it saw on a path
#
# Paths (each answers eth_chainId with chain_id unless it says otherwise):
#   /ok          a correct node; batches are answered in reverse order
#   /malformed   truncated JSON for everything but eth_chainId
#   /429         HTTP 429 with Retry-After: 1 twice, then correct
#   /503         HTTP 503 twice, then correct
#   /hang        reads the request and never answers
#   /wrongchain  eth_chainId answers 0x1
#   /huge        a 3 MB result
#   /wrongid     answers with id 999
#   /badhex      eth_blockNumber answers "0xzz"
#   /errorobj    every call answers a JSON-RPC error object
#   /flaky       malformed JSON until /flaky/fix is requested, then correct
#   /text        a plain-text body, not JSON, for everything but eth_chainId
#   /textall     a plain-text body for everything (not a JSON-RPC node at all)
#   /lag         with upstream => URL: a node that lags behind upstream (the
#                same history). Every call goes to upstream, but its head is
#                capped at the block set by requesting /lag/head/N
#                (/lag/head/none lifts the cap): eth_blockNumber says at most
#                N, "latest" means N, a block above N is missing (null
#                header, a -32602 BlockOutOfRangeError as anvil answers
#                otherwise) and each such request is logged on the path
#                /lag!missing, so a test can check nobody asked for one.
#                Requesting /lag/content_from/on makes it answer
#                txpool_contentFrom (as geth does) from upstream's
#                txpool_content, for nodes that lack it (anvil);
#                /lag/content_from/off forwards it again.
# It serves one connection at a time (a hanging one in a child), and logs
# every request to a file the test reads back.
package RpcStub;

use strict;
use warnings;

use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use File::Temp qw(tempfile);
use POSIX ":sys_wait_h";
use Time::HiRes qw(time);

sub new
{
	my ($class, %opts) = @_;
	my $listen = IO::Socket::INET->new(
		LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
		Listen => 16, ReuseAddr => 1) or die "stub: cannot listen: $!";
	my (undef, $logfile) = tempfile('rpcstub-XXXX', TMPDIR => 1, UNLINK => 1);
	my $self = bless { port => $listen->sockport, log => $logfile,
		chain_id => $opts{chain_id} // 31337, upstream => $opts{upstream} }, $class;
	my $pid = fork();
	die "stub: fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		# Let go of the test's output, so that prove does not wait for us.
		open STDOUT, '>', '/dev/null';
		open STDERR, '>', '/dev/null';
		$self->_serve($listen);
		POSIX::_exit(0);
	}
	$self->{pid} = $pid;
	close $listen;
	return $self;
}

sub url { my ($self, $path) = @_; return "http://127.0.0.1:$self->{port}$path"; }

# The requests seen on a path: list of { t => time, methods => [..] }.
sub requests
{
	my ($self, $path) = @_;
	open my $fh, '<', $self->{log} or return ();
	my @r;
	while (my $line = <$fh>)
	{
		chomp $line;
		my ($t, $p, $m) = split /\t/, $line, 3;
		push @r, { t => $t, methods => [ split /,/, $m // '' ] } if $p eq $path;
	}
	return @r;
}

sub DESTROY
{
	my $self = shift;
	local $?;    # keep the test's exit status
	return unless $self->{pid};
	kill 'TERM', $self->{pid};
	waitpid($self->{pid}, 0);
	delete $self->{pid};
}

sub _serve
{
	my ($self, $listen) = @_;
	my %count;
	my $fixed = 0;
	my @children;
	$SIG{TERM} = sub { kill 'KILL', @children; POSIX::_exit(0) };
	while (my $c = $listen->accept)
	{
		my ($path, $body) = _read_request($c);
		next unless defined $path;
		my $req = eval { decode_json($body) };
		my @calls = ref $req eq 'ARRAY' ? @$req : ($req);
		my @methods = map { ref $_ eq 'HASH' ? ($_->{method} // '?') : '?' } @calls;
		open my $log, '>>', $self->{log};
		printf $log "%.3f\t%s\t%s\n", time, $path, join(',', @methods);
		close $log;
		$count{$path}++;

		my $only_chainid = @methods == 1 && $methods[0] eq 'eth_chainId';
		my $cid = sprintf('0x%x', $self->{chain_id});
		if ($path eq '/flaky/fix') { $fixed = 1; _reply($c, 200, '{}'); next; }
		if ($path =~ m{^/lag/head/(\d+|none)$})
		{
			$self->{cap} = $1 eq 'none' ? undef : $1;
			_reply($c, 200, '{}');
			next;
		}
		if ($path =~ m{^/lag/content_from/(on|off)$})
		{
			$self->{content_from} = $1 eq 'on';
			_reply($c, 200, '{}');
			next;
		}
		if ($path eq '/lag' && $self->{upstream})
		{
			my @answers = $self->_lagging(@calls);
			_reply($c, 200, ref $req eq 'ARRAY' ? encode_json(\@answers) : encode_json($answers[0]));
			next;
		}
		if ($path eq '/hang' && !$only_chainid)
		{
			my $pid = fork();
			if ($pid == 0) { sleep 60; POSIX::_exit(0); }
			push @children, $pid;
			close $c;
			next;
		}
		if ($path eq '/429' && !$only_chainid && $count{$path} <= 3)
		{
			_reply($c, 429, '{"error":"slow down"}', "Retry-After: 1\r\n");
			next;
		}
		if ($path eq '/503' && !$only_chainid && $count{$path} <= 3)
		{
			_reply($c, 503, 'unavailable');
			next;
		}
		if (($path eq '/malformed' || ($path eq '/flaky' && !$fixed)) && !$only_chainid)
		{
			_reply($c, 200, '{"jsonrpc":"2.0","id":1,"result":"0x1');
			next;
		}
		if (($path eq '/text' && !$only_chainid) || $path eq '/textall')
		{
			_reply($c, 200, 'SECRET-TOKEN-42 is what a metadata service would say');
			next;
		}
		my @answers;
		for my $i (0 .. $#calls)
		{
			my $call = $calls[$i];
			my $m = $methods[$i];
			my $id = ref $call eq 'HASH' ? $call->{id} : undef;
			$id = 999 if $path eq '/wrongid';
			my $result;
			if ($m eq 'eth_chainId') { $result = $path eq '/wrongchain' ? '0x1' : $cid; }
			elsif ($path eq '/errorobj')
			{
				push @answers, { jsonrpc => '2.0', id => $id,
					error => { code => 3, message => 'execution reverted', data => '0x08c379a0' } };
				next;
			}
			elsif ($m eq 'eth_blockNumber') { $result = $path eq '/badhex' ? '0xzz' : '0x10'; }
			elsif ($path eq '/huge') { $result = 'ab' x (1536 * 1024); }
			else { $result = { method => $m, params => $call->{params}, index => $i }; }
			push @answers, { jsonrpc => '2.0', id => $id, result => $result };
		}
		my $out = ref $req eq 'ARRAY' ? encode_json([ reverse @answers ]) : encode_json($answers[0]);
		_reply($c, 200, $out);
	}
}

# Calls sent to upstream in one batch; their answer objects, in order.
sub _upstream
{
	my ($self, @calls) = @_;
	return () unless @calls;
	$self->{http} //= HTTP::Tiny->new(timeout => 30);
	my $res = $self->{http}->post($self->{upstream},
		{ headers => { 'content-type' => 'application/json' }, content => encode_json(\@calls) });
	my $j = $res->{success} ? eval { decode_json($res->{content}) } : undef;
	my %by_id = ref $j eq 'ARRAY' ? map { (($_->{id} // '') => $_) } @$j : ();
	return map { $by_id{ $_->{id} // '' } // { jsonrpc => '2.0', id => $_->{id},
		error => { code => -32603, message => "upstream: HTTP $res->{status}" } } } @calls;
}

# A block parameter against the cap: (the parameter to send upstream, or
# undef when the block is above the cap).
sub _capped
{
	my ($self, $tag) = @_;
	my $cap = $self->{cap};
	return ($tag) if !defined $cap || ref $tag;
	return (sprintf('0x%x', $cap)) if $tag =~ /^(latest|pending|safe|finalized)$/;
	return (undef) if $tag =~ /^0x[0-9a-f]+$/i && hex($tag) > $cap;
	return ($tag);
}

# The answers of the lagging node to calls (see /lag above): what it lacks
# is answered here, the rest goes upstream in one batch, with "latest"
# pinned to the cap.
sub _lagging
{
	my ($self, @calls) = @_;
	my $cap = $self->{cap};
	my (@answers, @forward, @slot);
	for my $i (0 .. $#calls)
	{
		my $call = $calls[$i];
		if ($self->{content_from} && ref $call eq 'HASH' && ($call->{method} // '') eq 'txpool_contentFrom')
		{
			$answers[$i] = $self->_content_from($call);
			next;
		}
		my ($answer, $fwd) = ref $call eq 'HASH' ? $self->_lag_call($call) : (undef, $call);
		if ($answer) { $answers[$i] = $answer; next; }
		push @forward, $fwd;
		push @slot, $i;
	}
	my @got = $self->_upstream(@forward);
	for my $k (0 .. $#got)
	{
		my $a = $got[$k];
		$a->{result} = sprintf('0x%x', $cap)
		  if defined $cap && ($forward[$k]{method} // '') eq 'eth_blockNumber'
		  && defined $a->{result} && hex($a->{result}) > $cap;
		$answers[ $slot[$k] ] = $a;
	}
	return @answers;
}

# txpool_contentFrom(address) as geth answers it, from upstream's txpool_content:
# {pending: {nonce: tx}, queued: {nonce: tx}} of that address.
sub _content_from
{
	my ($self, $call) = @_;
	my $who = lc(($call->{params} // [])->[0] // '');
	my ($a) = $self->_upstream({ jsonrpc => '2.0', id => 'content', method => 'txpool_content', params => [] });
	return { jsonrpc => '2.0', id => $call->{id}, error => $a->{error} } if $a->{error};
	my %r = (pending => {}, queued => {});
	for my $part (qw(pending queued))
	{
		my $txs = $a->{result}{$part} // {};
		$r{$part} = $txs->{$_} for grep { lc($_) eq $who } keys %$txs;
	}
	return { jsonrpc => '2.0', id => $call->{id}, result => \%r };
}

# One call against the cap: (an answer object, undef) when its block is
# missing, else (undef, the call to forward with its block parameters capped).
sub _lag_call
{
	my ($self, $call) = @_;
	my $cap = $self->{cap};
	return (undef, $call) unless defined $cap;
	my $m = $call->{method} // '';
	my @p = @{ $call->{params} // [] };
	my $missing = sub {
		my ($n, $null) = @_;
		open my $log, '>>', $self->{log};
		printf $log "%.3f\t%s\t%s\n", time, '/lag!missing', $m;
		close $log;
		return ({ jsonrpc => '2.0', id => $call->{id}, result => undef }, undef) if $null;
		return ({ jsonrpc => '2.0', id => $call->{id}, error => { code => -32602,
			message => "BlockOutOfRangeError: block height is $cap but requested was " . hex($n) } }, undef);
	};
	my $at = $m eq 'eth_getBlockByNumber' ? 0
	  : $m =~ /^eth_(call|getBalance|getCode|getTransactionCount|estimateGas)$/ ? $#p
	  : $m eq 'eth_getStorageAt' ? 2 : -1;
	if ($at >= 0 && $at <= $#p)
	{
		my ($tag) = $self->_capped($p[$at]);
		return $missing->($p[$at], $m eq 'eth_getBlockByNumber') unless defined $tag;
		$p[$at] = $tag;
	}
	if ($m eq 'eth_getLogs' && ref $p[0] eq 'HASH')
	{
		my %f = %{ $p[0] };
		for my $k (qw(fromBlock toBlock))
		{
			next unless defined $f{$k};
			my ($tag) = $self->_capped($f{$k});
			return $missing->($f{$k}) unless defined $tag;
			$f{$k} = $tag;
		}
		$p[0] = \%f;
	}
	return (undef, { %$call, params => \@p });
}

sub _read_request
{
	my ($c) = @_;
	my $head = '';
	while ($head !~ /\r\n\r\n/)
	{
		my $n = sysread($c, my $buf, 4096);
		return unless $n;
		$head .= $buf;
	}
	my ($h, $body) = split /\r\n\r\n/, $head, 2;
	my ($path) = $h =~ m{^POST (\S+) HTTP}i;
	my ($len) = $h =~ /Content-Length:\s*(\d+)/i;
	$len //= 0;
	while (length($body) < $len)
	{
		my $n = sysread($c, my $buf, $len - length($body));
		last unless $n;
		$body .= $buf;
	}
	return ($path // '/', $body);
}

sub _reply
{
	my ($c, $status, $body, $extra) = @_;
	$extra //= '';
	print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n"
	  . "Content-Length: " . length($body) . "\r\nConnection: close\r\n$extra\r\n$body";
	close $c;
}

1;
