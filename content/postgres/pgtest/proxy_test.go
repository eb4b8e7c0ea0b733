package pgtest_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/paitor/paitor/content/postgres/pgtest"
)

// echoServer answers every line with the same line, until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line over c and reads it back within timeout.
func roundTrip(c net.Conn, line string, timeout time.Duration) error {
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return err
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if got != line+"\n" {
		return errors.New("echo mismatch: " + got)
	}
	return nil
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestProxyForwards(t *testing.T) {
	p := pgtest.Proxy(t, echoServer(t))
	c := dial(t, p.Addr())
	if err := roundTrip(c, "hello", 2*time.Second); err != nil {
		t.Fatalf("through proxy: %v", err)
	}
}

func TestProxyPauseCutsAndRefuses(t *testing.T) {
	p := pgtest.Proxy(t, echoServer(t))
	c := dial(t, p.Addr())
	if err := roundTrip(c, "before", 2*time.Second); err != nil {
		t.Fatalf("before Pause: %v", err)
	}

	p.Pause()
	if err := roundTrip(c, "during", 2*time.Second); err == nil {
		t.Fatal("live connection still works after Pause")
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("live connection hung after Pause instead of failing: %v", err)
	}
	if c2, err := net.DialTimeout("tcp", p.Addr(), 2*time.Second); err == nil {
		c2.Close()
		t.Fatal("new connection accepted while paused")
	}

	p.Resume()
	if err := roundTrip(dial(t, p.Addr()), "after", 2*time.Second); err != nil {
		t.Fatalf("after Resume, on the same address: %v", err)
	}
}

func TestProxyStallHoldsTraffic(t *testing.T) {
	p := pgtest.Proxy(t, echoServer(t))
	c := dial(t, p.Addr())
	if err := roundTrip(c, "before", 2*time.Second); err != nil {
		t.Fatalf("before Stall: %v", err)
	}

	p.Stall()
	err := roundTrip(c, "held", 200*time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("during Stall: err = %v, want a timeout", err)
	}
	fresh := dial(t, p.Addr()) // accepted, but goes nowhere yet
	if err := roundTrip(fresh, "new", 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("new connection during Stall: err = %v, want a timeout", err)
	}

	p.Resume()
	// The held lines are delivered now, then both connections work again.
	for _, held := range []struct {
		c    net.Conn
		line string
	}{{c, "held\n"}, {fresh, "new\n"}} {
		held.c.SetDeadline(time.Now().Add(2 * time.Second))
		if got, err := bufio.NewReader(held.c).ReadString('\n'); err != nil || got != held.line {
			t.Fatalf("held line after Resume: %q, %v; want %q", got, err, held.line)
		}
	}
	if err := roundTrip(c, "again", 2*time.Second); err != nil {
		t.Fatalf("after Resume: %v", err)
	}
	if err := roundTrip(fresh, "again", 2*time.Second); err != nil {
		t.Fatalf("connection made during Stall, after Resume: %v", err)
	}
}
