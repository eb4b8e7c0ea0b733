package pgtest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// TCPProxy forwards TCP connections from a loopback port to a target address and
// can simulate outages of whatever runs there (PostgreSQL, Redis, ...):
//
//   - Pause: the server is gone — live connections are cut and new ones refused.
//   - Stall: the network black-holes — connections stay open (new ones are
//     accepted) but no byte moves either way, so only timeouts help.
//   - Resume: back to normal; connections made during a stall start flowing.
//
// It is closed when the test ends. Its methods are safe for concurrent use.
type TCPProxy struct {
	t      testing.TB
	target string
	addr   string // fixed for the proxy's life, so clients can reconnect

	mu      sync.Mutex
	ln      net.Listener // nil while paused or closed
	conns   map[net.Conn]struct{}
	stalled bool
	resumed chan struct{} // closed when a stall ends
	closed  bool
	wg      sync.WaitGroup
}

// Proxy starts a proxy on 127.0.0.1 (a free port) to target (host:port).
func Proxy(t testing.TB, target string) *TCPProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy listen: %v", err)
	}
	p := &TCPProxy{
		t:       t,
		target:  target,
		addr:    ln.Addr().String(),
		conns:   make(map[net.Conn]struct{}),
		resumed: make(chan struct{}),
	}
	p.serve(ln)
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port; it stays the same across Pause and Resume.
func (p *TCPProxy) Addr() string { return p.addr }

// Pause closes the listener and every live connection: clients see their
// connections drop and new dials refused until Resume.
func (p *TCPProxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.closeConnsLocked()
}

// Stall stops all traffic without closing anything: reads on both sides block
// until Resume (or Pause). New connections are accepted but go nowhere.
func (p *TCPProxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stalled {
		p.stalled = true
		p.resumed = make(chan struct{})
	}
}

// Resume ends a Pause or a Stall. After a Pause it listens again on the same
// address; it must then be called from the test's goroutine, as it fails the test
// if the port was taken meanwhile.
func (p *TCPProxy) Resume() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if p.stalled {
		p.stalled = false
		close(p.resumed)
	}
	if p.ln == nil {
		ln, err := listenAgain(p.addr)
		if err != nil {
			p.t.Fatalf("pgtest: proxy resume on %s: %v", p.addr, err)
		}
		p.serve(ln)
	}
}

// listenAgain re-binds addr, retrying briefly while the old socket is released.
func listenAgain(addr string) (net.Listener, error) {
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", addr); err == nil {
			return ln, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}

// close stops everything and waits for the proxy's goroutines.
func (p *TCPProxy) close() {
	p.mu.Lock()
	p.closed = true
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	if p.stalled {
		p.stalled = false
		close(p.resumed)
	}
	p.closeConnsLocked()
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *TCPProxy) closeConnsLocked() {
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// serve accepts on ln until it is closed. p.mu is held by the caller or not yet
// shared.
func (p *TCPProxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return // closed by Pause or close
			}
			p.wg.Go(func() { p.handle(client) })
		}
	})
}

// handle connects client to the target once traffic may flow, then copies both
// ways until either side closes or the proxy cuts them.
func (p *TCPProxy) handle(client net.Conn) {
	if !p.track(client) {
		client.Close()
		return
	}
	defer p.untrack(client)
	if !p.waitFlowing() {
		return
	}
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		return // the client sees its connection close, as with a dead server
	}
	if !p.track(server) {
		server.Close()
		return
	}
	defer p.untrack(server)

	done := make(chan struct{}, 2)
	go func() { p.pipe(server, client); done <- struct{}{} }()
	go func() { p.pipe(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
}

// pipe copies src to dst, holding each chunk while the proxy is stalled.
func (p *TCPProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitFlowing() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return
			}
			if tcp, ok := dst.(*net.TCPConn); ok {
				tcp.CloseWrite() // pass the half-close on
			}
			return
		}
	}
}

// waitFlowing blocks while the proxy is stalled; it reports false once the proxy
// is closed.
func (p *TCPProxy) waitFlowing() bool {
	for {
		p.mu.Lock()
		stalled, resumed, closed := p.stalled, p.resumed, p.closed
		p.mu.Unlock()
		if closed {
			return false
		}
		if !stalled {
			return true
		}
		<-resumed
	}
}

// track registers c so Pause can cut it; false if the proxy is paused or closed
// (a connection accepted just before the listener closed must not slip through).
func (p *TCPProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.ln == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *TCPProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}
