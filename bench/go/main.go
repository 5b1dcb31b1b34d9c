// Go reference for gorx's benchmarks: the same programs with Go's own channels and goroutines.
//
// Every result is one JSON line on stdout, so the TypeScript harness can parse it:
//
//	{"bench":"chan_sync","impl":"go","nsPerOp":123.4}
//	{"bench":"daisy_chain","impl":"go","ms":12.3,"bytesPerG":2800}
//
// Usage:
//
//	go run bench/go/main.go -mode channels -n 10000 -rounds 1 -warmup 1
//	go run bench/go/main.go -mode daisy -n 100000
//	go run bench/go/main.go -mode blocked -n 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var sink int

// verify fails the run (exit status 1) when a benchmark computed the wrong result.
func verify(ok bool, format string, args ...interface{}) {
	if !ok {
		fmt.Fprintf(os.Stderr, "benchmark result is wrong: "+format+"\n", args...)
		os.Exit(1)
	}
}

func emit(bench string, ns float64) {
	fmt.Printf("{\"bench\":%q,\"impl\":\"go\",\"nsPerOp\":%.3f}\n", bench, ns)
}

// chanRecv: a producer started before the timer sends n values then closes; the timed part is n
// receives by the main goroutine.
func chanRecv(capacity, n int) float64 {
	c := make(chan int, capacity)
	go func() {
		for i := 0; i < n; i++ {
			c <- i
		}
		close(c)
	}()
	start := time.Now()
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-c
	}
	el := time.Since(start)
	verify(sum == n*(n-1)/2, "chan recv sum %d, want %d", sum, n*(n-1)/2)
	return float64(el.Nanoseconds()) / float64(n)
}

// selectBench: a partner loop "send k then recv" (k = 0, 1, ...) checking it receives what the
// selects sent; n selects over [send, recv, send, recv], checking they receive 0, 1, ...
func selectBench(n int) float64 {
	c := make(chan int)
	bad := make(chan string, 1)
	// The partner is left blocked when the round ends (as goless's was): a quit case would
	// make its loop a select and slow the reference down.
	go func() {
		for k := 0; ; k++ {
			c <- k
			if v := <-c; v != k {
				bad <- fmt.Sprintf("select partner received %d, want %d", v, k)
				return
			}
		}
	}()
	received, sent := 0, 0
	start := time.Now()
	for i := 0; i < n; i++ {
		select {
		case c <- sent:
			sent++
		case v := <-c:
			verify(v == received, "select received %d, want %d", v, received)
			received++
		case c <- sent:
			sent++
		case v := <-c:
			verify(v == received, "select received %d, want %d", v, received)
			received++
		}
	}
	el := time.Since(start)
	select {
	case msg := <-bad:
		verify(false, "%s", msg)
	default:
	}
	d := received - sent
	verify(received+sent == n && d <= 1 && d >= -1, "selects: %d receives, %d sends", received, sent)
	return float64(el.Nanoseconds()) / float64(n)
}

func selectDefault(n int) float64 {
	c := make(chan int)
	defaults := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		select {
		case c <- 1:
		case v := <-c:
			sink += v
		case c <- 1:
		case v := <-c:
			sink += v
		default:
			defaults++
		}
	}
	el := time.Since(start)
	verify(defaults == n, "select_default took %d defaults, want %d", defaults, n)
	return float64(el.Nanoseconds()) / float64(n)
}

func pingPong(n int) float64 {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	start := time.Now()
	sum := 0
	for i := 0; i < n; i++ {
		ping <- i
		sum += <-pong
	}
	el := time.Since(start)
	close(ping)
	verify(sum == n*(n-1)/2, "ping_pong sum %d, want %d", sum, n*(n-1)/2)
	return float64(el.Nanoseconds()) / float64(n)
}

// spawn: n goroutines that finish at once, and the wait for all of them.
func spawn(n int) float64 {
	var wg sync.WaitGroup
	var ran int64
	start := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			atomic.AddInt64(&ran, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	verify(ran == int64(n), "spawn: %d of %d ran", ran, n)
	return float64(el.Nanoseconds()) / float64(n)
}

// kill: Go has no kill; the nearest idiom is one context per goroutine, cancelled, then waited for.
func kill(n int) float64 {
	var wg, ready sync.WaitGroup
	var cancelled int64
	c := make(chan int)
	cancels := make([]context.CancelFunc, n)
	wg.Add(n)
	ready.Add(n)
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		go func() {
			defer wg.Done()
			ready.Done()
			select {
			case <-c:
			case <-ctx.Done():
				atomic.AddInt64(&cancelled, 1)
			}
		}()
	}
	// Every goroutine has reached its select (or is about to: Go has no way to observe "parked").
	ready.Wait()
	runtime.Gosched()
	start := time.Now()
	for _, cancel := range cancels {
		cancel()
	}
	wg.Wait()
	el := time.Since(start)
	verify(cancelled == int64(n), "kill: %d of %d ended by their context", cancelled, n)
	return float64(el.Nanoseconds()) / float64(n)
}

func maxRSS() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss * 1024
}

func rss() int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys - ms.HeapReleased)
}

// daisy: Rob Pike's daisy chain: n goroutines, each `left <- 1 + <-right`.
func daisy(n int) {
	runtime.GC()
	base := maxRSS()
	start := time.Now()
	leftmost := make(chan int)
	left, right := leftmost, leftmost
	for i := 0; i < n; i++ {
		right = make(chan int)
		go func(l, r chan int) { l <- 1 + <-r }(left, right)
		left = right
	}
	go func(c chan int) { c <- 1 }(right)
	v := <-leftmost
	el := time.Since(start)
	if v != n+1 {
		fmt.Fprintln(os.Stderr, "daisy chain: wrong result", v)
		os.Exit(1)
	}
	fmt.Printf("{\"bench\":\"daisy_chain\",\"impl\":\"go\",\"ms\":%.3f,\"bytesPerG\":%.1f}\n",
		float64(el.Nanoseconds())/1e6, float64(maxRSS()-base)/float64(n))
}

// blocked: memory of n goroutines blocked receiving on one channel.
func blocked(n int) {
	runtime.GC()
	before := rss()
	baseMax := maxRSS()
	c := make(chan int)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer wg.Done()
			<-c
		}()
	}
	for runtime.NumGoroutine() < n {
		runtime.Gosched()
	}
	time.Sleep(50 * time.Millisecond)
	runtime.GC()
	after := rss()
	fmt.Printf("{\"bench\":\"blocked_%d\",\"impl\":\"go\",\"bytesPerG\":%.1f,\"rssPerG\":%.1f}\n",
		n, float64(after-before)/float64(n), float64(maxRSS()-baseMax)/float64(n))
	close(c)
	wg.Wait()
}

func main() {
	mode := flag.String("mode", "channels", "channels | daisy | blocked")
	n := flag.Int("n", 10000, "operations per measurement")
	rounds := flag.Int("rounds", 1, "measured rounds")
	warmup := flag.Int("warmup", 1, "unmeasured rounds first")
	flag.Parse()
	switch *mode {
	case "daisy":
		daisy(*n)
		return
	case "blocked":
		blocked(*n)
		return
	}
	for r := 0; r < *warmup+*rounds; r++ {
		res := [][2]interface{}{
			{"chan_sync", chanRecv(0, *n)},
			{"chan_buff", chanRecv(1000, *n)},
			// Go has no unbounded channel: a buffer of n never blocks the producer either.
			{"chan_async", chanRecv(*n, *n)},
			{"select", selectBench(*n)},
			{"select_default", selectDefault(*n)},
			{"ping_pong", pingPong(*n)},
			{"spawn", spawn(*n)},
			{"kill", kill(*n)},
		}
		if r >= *warmup {
			for _, x := range res {
				emit(x[0].(string), x[1].(float64))
			}
		}
	}
}
