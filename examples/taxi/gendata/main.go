// Command gendata writes a synthetic, taxi-like CSV for the tfxc taxi example.
//
// The output has the 18 columns of the Chicago taxi sample that TFX's taxi
// example uses, in the same order, with empty cells for missing values, and
// distributions loosely like that sample's. Every value is invented here: the
// community-area map, the companies and the trips are drawn from a seeded
// generator, so the same -seed and -rows always give the same bytes. The
// random generator is implemented in this file rather than taken from
// math/rand, so a Go release does not change the data; amd64 is the reference
// platform (another architecture's math.Log or fused multiply-adds could, in
// rare rows, round a value differently).
//
// Usage:
//
//	go run ./examples/taxi/gendata -rows 20000 -seed 1 -o examples/taxi/data/taxi.csv
//
// Rows are streamed through a buffered writer, so any number of rows is
// written in constant memory. With -o the file is written to a temporary file
// in the same directory and renamed into place when complete.
//
// The label of the example, big_tipper = tips > 0.2 * fare, depends mostly on
// payment_type (cash tips are almost never recorded), on fare (small fares get
// flat tips that are large in proportion) and on the hour (night riders tip
// more, morning commuters less). Money is computed in integer cents and no row
// has tips exactly equal to 0.2 * fare, so the label is the same whether it is
// computed in float32 or float64.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// header is the CSV header: the columns of the real sample, in its order.
const header = "pickup_community_area,fare,trip_start_month,trip_start_hour,trip_start_day," +
	"trip_start_timestamp,pickup_latitude,pickup_longitude,dropoff_latitude,dropoff_longitude," +
	"trip_miles,pickup_census_tract,dropoff_census_tract,payment_type,company,trip_seconds," +
	"dropoff_community_area,tips"

// numColumns is the number of columns in header.
const numColumns = 18

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags, writes the data and returns the exit code: 0 on
// success, 1 when writing fails, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gendata", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: gendata [-rows N] [-seed S] [-o FILE]\n\n"+
			"Writes a synthetic taxi-like CSV (header + N rows, 18 columns).\n\n")
		fs.PrintDefaults()
	}
	rows := fs.Int64("rows", 20000, "number of data rows to write, not counting the header (0 writes only the header)")
	seed := fs.Int64("seed", 1, "random seed; the same seed and -rows give the same bytes")
	out := fs.String("o", "", "output file, written atomically (temporary file in the same directory, then rename); "+
		"missing parent directories are created; default standard output")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gendata: unexpected argument %q (flags: -rows, -seed, -o)\n", fs.Arg(0))
		return 2
	}
	if *rows < 0 {
		fmt.Fprintf(stderr, "gendata: -rows must be 0 or more, got %d\n", *rows)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	write := func(w io.Writer) error { return generate(ctx, w, *rows, *seed) }
	var err error
	if *out == "" {
		err = write(stdout)
	} else {
		err = writeFileAtomic(*out, write)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gendata: %v\n", err)
		return 1
	}
	return 0
}

// writeFileAtomic calls write with a temporary file in path's directory and
// renames it to path once write succeeded and the file is synced and closed.
// On any failure the temporary file is removed and path is left untouched.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	if fi, statErr := os.Stat(path); statErr == nil && fi.IsDir() {
		return fmt.Errorf("cannot write %s: it is a directory", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// generate writes the header and rows data rows to w. It checks ctx every few
// thousand rows so that an interrupt stops a long run promptly.
func generate(ctx context.Context, w io.Writer, rows, seed int64) error {
	bw := bufio.NewWriterSize(w, 1<<18)
	if _, err := bw.WriteString(header + "\n"); err != nil {
		return err
	}
	g := newGenerator(seed)
	buf := make([]byte, 0, 512)
	for i := int64(0); i < rows; i++ {
		if i&0x3fff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		buf = g.appendRow(buf[:0])
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ---------------------------------------------------------------------------
// Random numbers: xoshiro256** seeded through splitmix64. Implemented here so
// that the output for a seed never changes with the Go release.

type rng struct{ s0, s1, s2, s3 uint64 }

func newRNG(seed uint64) *rng {
	var r rng
	sm := seed
	next := func() uint64 {
		sm += 0x9e3779b97f4a7c15
		z := sm
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	r.s0, r.s1, r.s2, r.s3 = next(), next(), next(), next()
	return &r
}

func (r *rng) u64() uint64 {
	result := rotl(r.s1*5, 7) * 9
	t := r.s1 << 17
	r.s2 ^= r.s0
	r.s3 ^= r.s1
	r.s1 ^= r.s2
	r.s0 ^= r.s3
	r.s2 ^= t
	r.s3 = rotl(r.s3, 45)
	return result
}

func rotl(x uint64, k uint) uint64 { return (x << k) | (x >> (64 - k)) }

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return float64(r.u64()>>11) * (1.0 / (1 << 53)) }

// intn returns a uniform integer in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int((r.u64() >> 32) * uint64(n) >> 32) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// norm returns a standard normal number (Box-Muller, one value per call).
func (r *rng) norm() float64 {
	u1 := 1 - r.float() // (0, 1]
	u2 := r.float()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// weighted picks an index with probability proportional to its weight.
type weighted struct {
	cum   []uint32
	total uint32
}

func newWeighted(weights []uint32) weighted {
	w := weighted{cum: make([]uint32, len(weights))}
	for i, x := range weights {
		w.total += x
		w.cum[i] = w.total
	}
	return w
}

func (w *weighted) pick(r *rng) int {
	x := uint32(r.intn(int(w.total)))
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// ---------------------------------------------------------------------------
// The fixed world: payment types, companies, community areas and tracts. These
// do not depend on -seed.

// paymentTypes are the payment_type values the generator emits (and the
// schema's payment_type string domain).
var paymentTypes = []string{"Cash", "Credit Card", "No Charge", "Unknown", "Dispute", "Pcard", "Prcard"}

// Index into paymentTypes.
const (
	payCash = iota
	payCredit
	payNoCharge
	payUnknown
	payDispute
	payPcard
	payPrcard
)

// Probabilities of the rare payment types; the rest is cash or credit card.
var rarePayments = []struct {
	kind int
	p    float64
}{
	{payNoCharge, 0.0054}, {payUnknown, 0.0019}, {payDispute, 0.0003}, {payPcard, 0.0002}, {payPrcard, 0.0001},
}

// company is a fictional taxi company and its relative frequency.
type company struct {
	name   string
	weight uint32
}

// companies are invented names with a skewed frequency: a few large
// affiliations and a long tail of owner-operators written as the city's feed
// writes them ("medallion - licence Name"), some with and without the licence
// number, and one name cut at 40 characters as the feed does.
var companies = []company{
	{"Lakefront Taxi Services", 5100},
	{"Prairie Cab Affiliation", 1650},
	{"Red Line Taxi Association Inc.", 1100},
	{"Harbor Cab Association", 870},
	{"Northbrook Fleet Management LLC", 550},
	{"Bridgeport Taxi Association", 250},
	{"Summit Cab Affiliation", 130},
	{"Wabash Premier Cab Corp. (Wabash Carriag", 28},
	{"Midway Medallion Leasing INC", 22},
	{"Midway Medallion Management", 17},
	{"Wabash Premier Cab Corp.", 10},
	{"1042 - 31877 Ardent Cab Co", 6},
	{"1042 - Ardent Cab Co", 3},
	{"2208 - 40415 Marlowe Transit Inc", 5},
	{"2340 - 55012 Okafor Rides", 5},
	{"2591 - 60723 Delgado Taxi Corp.", 4},
	{"2777 - Vesna Cab", 4},
	{"3046 - 81230 Kestrel Cab Inc.", 4},
	{"3310 - 29384 Lindqvist Livery", 3},
	{"3310 - Lindqvist Livery", 3},
	{"3564 - 70021 Nightjar Taxi", 3},
	{"3891 - 12290 Osei Transport", 3},
	{"4102 - 66541 Bluebell Cab LLC", 3},
	{"4388 - 57310 Ferreira Cab", 2},
	{"4388 - Ferreira Cab", 2},
	{"4720 - 90815 Quill Taxi Inc", 2},
	{"5013 - 33476 Tamsin Ride Co", 2},
	{"5261 - 48790 Yusuf Cab Corp.", 2},
	{"5599 - 21468 Orchard Taxi", 2},
	{"5840 - 75022 Rowan Cab Co", 2},
	{"6127 - 38854 Halcyon Ride Inc", 2},
	{"6390 - 88117 Markovic Cab", 2},
	{"6655 - 14603 Calloway Cab", 1},
	{"6931 - 97452 Sable Taxi LLC", 1},
	{"7204 - 50339 Juniper Rides", 1},
	{"7488 - 62210 Meridian Cab", 1},
	{"7715 - Meridian Cab", 1},
	{"8023 - 44127 Tern Transit", 1},
	{"8396 - 19875 Pelham Cab Co", 1},
	{"8642 - 73359 Corvid Taxi Inc", 1},
}

const numAreas = 77

// tract is a census tract: its id and its centroid, already formatted.
type tract struct {
	id       int64
	lat, lon string
}

// area is a community area: its centroid and tracts.
type area struct {
	lat, lon float64 // centroid, for distances
	tracts   []tract
}

// areaSpot pins the best-known areas near their real places; the others are
// laid out north to south along the lake, as Chicago numbers them.
var areaSpot = map[int][2]float64{
	3:  {41.9655, -87.6555},
	6:  {41.9430, -87.6545},
	7:  {41.9215, -87.6480},
	8:  {41.8995, -87.6330},
	22: {41.9235, -87.7030},
	24: {41.8995, -87.6800},
	28: {41.8740, -87.6665},
	32: {41.8790, -87.6285},
	33: {41.8565, -87.6225},
	56: {41.7975, -87.7620},
	76: {41.9775, -87.8935},
	77: {41.9865, -87.6635},
}

// cityMap is the fixed layout every run shares.
type cityMap struct {
	areas []area // indexed by area number; areas[0] is unused
	// Relative frequencies of pickup and dropoff areas (index 0 is area 1):
	// downtown dominates, the airport is busy, the rest is a long tail.
	pickupWeights, dropoffWeights []uint32
}

// city is laid out once from a fixed seed: it does not depend on -seed.
var city = buildCity()

// buildCity lays out the areas, their tracts and the area frequencies.
func buildCity() cityMap {
	r := newRNG(0x7466786374617869) // "tfxctaxi"
	areas := make([]area, numAreas+1)
	pickupWeights := make([]uint32, numAreas)
	dropoffWeights := make([]uint32, numAreas)
	hot := map[int][2]uint32{ // area: pickup, dropoff weight
		8: {4900, 4300}, 32: {3300, 2750}, 28: {1280, 1450}, 6: {1180, 1100}, 76: {900, 520},
		7: {890, 1040}, 24: {600, 750}, 33: {310, 410}, 3: {270, 300}, 56: {255, 110},
		77: {180, 190}, 22: {175, 290},
	}
	for a := 1; a <= numAreas; a++ {
		var lat, lon float64
		if p, ok := areaSpot[a]; ok {
			lat, lon = p[0], p[1]
		} else {
			lat = 42.005 - 0.325*float64(a-1)/74 + (r.float()-0.5)*0.02
			lake := -87.66 + (42.0-lat)*0.38
			lon = lake - 0.03 - 0.17*r.float()
		}
		n := 2 + r.intn(10)
		ar := area{lat: lat, lon: lon, tracts: make([]tract, n)}
		for i := range ar.tracts {
			tl := lat + (r.float()-0.5)*0.018
			tn := lon + (r.float()-0.5)*0.022
			suffix := int64(0)
			if r.chance(0.3) {
				suffix = 1 + int64(r.intn(3))
			}
			ar.tracts[i] = tract{
				id:  17031000000 + int64(a)*10000 + int64(i+1)*100 + suffix,
				lat: formatMicro(tl),
				lon: formatMicro(tn),
			}
		}
		areas[a] = ar
		if w, ok := hot[a]; ok {
			pickupWeights[a-1], dropoffWeights[a-1] = w[0], w[1]
		} else {
			pickupWeights[a-1] = uint32(r.intn(30))
			dropoffWeights[a-1] = 1 + uint32(r.intn(30))
		}
	}
	return cityMap{areas: areas, pickupWeights: pickupWeights, dropoffWeights: dropoffWeights}
}

// formatMicro formats a coordinate with exactly six decimals. A coordinate
// whose sixth decimal would be 0 is moved by a micro-degree so that every
// coordinate reads the same whether written with six decimals or with the
// shortest representation.
func formatMicro(x float64) string {
	m := int64(math.Round(x * 1e6))
	if m%10 == 0 {
		m++
	}
	return strconv.FormatFloat(float64(m)/1e6, 'f', 6, 64)
}

// ---------------------------------------------------------------------------
// Time: trips from 2013-01-01 to 2016-12-31, written as Chicago wall-clock
// time encoded as if it were UTC (as the city's feed does), on quarter hours.

var (
	firstDay    = time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	numDays     = int(time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC).Unix()/86400 - firstDay)
	dayMonth    []int8 // month of each day
	hourWeights = []uint32{60, 52, 40, 28, 19, 14, 19, 30, 52, 65, 67, 62, 73, 70, 72, 71, 75, 82, 93, 100, 96, 84, 83, 72}
	// Relative trip counts Sunday..Saturday: weekends are busier.
	weekdayWeights = [7]int{190, 190, 195, 200, 220, 250, 245}
)

// weekday returns the trip_start_day of a day since the Unix epoch: 1 is
// Sunday, 7 is Saturday (1970-01-01 was a Thursday).
func weekday(epochDay int64) int { return int((epochDay+4)%7) + 1 }

// ---------------------------------------------------------------------------
// The generator.

type generator struct {
	r       *rng
	areas   []area
	hours   weighted
	pickup  weighted
	dropoff weighted
	company weighted
}

func init() {
	dayMonth = make([]int8, numDays)
	for d := range dayMonth {
		dayMonth[d] = int8(time.Unix((firstDay+int64(d))*86400, 0).UTC().Month())
	}
}

func newGenerator(seed int64) *generator {
	cw := make([]uint32, len(companies))
	for i, c := range companies {
		cw[i] = c.weight
	}
	return &generator{
		r:       newRNG(uint64(seed)),
		areas:   city.areas,
		hours:   newWeighted(hourWeights),
		pickup:  newWeighted(city.pickupWeights),
		dropoff: newWeighted(city.dropoffWeights),
		company: newWeighted(cw),
	}
}

// Rates of missing cells, close to the real sample's.
const (
	pMissingPickup        = 0.00015 // pickup area and coordinates
	pPickupTractPresent   = 0.002   // the pickup census tract is almost never given
	pMissingDropoff       = 0.031   // dropoff area, coordinates and tract
	pMissingDropoffArea   = 0.0017  // area alone, coordinates present
	pMissingDropoffTract  = 0.26    // tract alone
	pMissingCompany       = 0.343
	pMissingSeconds       = 0.0004
	pZeroSeconds          = 0.032 // the meter recorded no time
	pZeroMiles            = 0.27  // the meter recorded no distance
	pZeroFare             = 0.0018
	pSameArea             = 0.26
	pMilesOutlier         = 0.0003
	pSecondsOutlier       = 0.0003
	pFareOutlier          = 0.0002
	pCashTip              = 0.0004
	pCreditNoTip          = 0.05
	pUnknownTip           = 0.27
	milesPerDegreeLat     = 69.0
	milesPerDegreeLon     = 51.6 // at 41.9° N
	meterFlagCents        = 325
	meterCentsPerMile     = 180.0
	meterCentsPerIdleSecs = 20.0 / 36
)

// appendRow appends one CSV row, newline included, to b.
func (g *generator) appendRow(b []byte) []byte {
	r := g.r

	// When.
	var day int64
	for {
		day = firstDay + int64(r.intn(numDays))
		if r.intn(250) < weekdayWeights[weekday(day)-1] {
			break
		}
	}
	hour := g.hours.pick(r)
	ts := day*86400 + int64(hour)*3600 + int64(r.intn(4))*900
	month := int(dayMonth[day-firstDay])

	// Where.
	pa := 1 + g.pickup.pick(r)
	pt := r.intn(len(g.areas[pa].tracts))
	da := pa
	if !r.chance(pSameArea) {
		da = 1 + g.dropoff.pick(r)
	}
	dt := r.intn(len(g.areas[da].tracts))
	missPickup := r.chance(pMissingPickup)
	showPickupTract := r.chance(pPickupTractPresent)
	missDropoff := r.chance(pMissingDropoff)
	missDropoffArea := r.chance(pMissingDropoffArea)
	missDropoffTract := r.chance(pMissingDropoffTract)

	// How far and how long: the true distance drives both.
	var miles float64
	if pa == da && pt == dt {
		miles = 0.9 * math.Exp(0.6*r.norm())
	} else {
		p, d := g.areas[pa], g.areas[da]
		dy := (p.lat - d.lat) * milesPerDegreeLat
		dx := (p.lon - d.lon) * milesPerDegreeLon
		miles = 0.9*(math.Abs(dx)+math.Abs(dy)) + 0.3*math.Exp(0.8*r.norm())
	}
	miles = math.Max(miles, 0.1)
	mph := 14.0
	switch {
	case hour >= 7 && hour <= 9, hour >= 16 && hour <= 18:
		mph = 11
	case hour >= 22 || hour <= 5:
		mph = 20
	}
	mph *= math.Exp(0.25 * r.norm())
	secs := miles/mph*3600 + 60 + 90*math.Abs(r.norm())
	idle := math.Max(0, secs-miles/25*3600) * 0.5

	// Fare in cents, on the meter's 5-cent steps mostly.
	fare := meterFlagCents + meterCentsPerMile*miles + meterCentsPerIdleSecs*idle
	if r.chance(0.12) {
		fare += 100 // extra passenger
	}
	if r.chance(0.01) {
		fare += float64(100 * (1 + r.intn(10))) // tolls, cleaning
	}
	fareC := int64(math.Round(fare))
	if r.chance(0.983) {
		fareC = (fareC + 2) / 5 * 5
	}
	if r.chance(pFareOutlier) {
		fareC *= int64(10 + r.intn(30))
	}
	if r.chance(pZeroFare) {
		fareC = 0
	}

	// What the meter reported.
	secsOut := int64(math.Round(secs/60)) * 60
	if r.chance(pSecondsOutlier) {
		secsOut += int64(3600 * (1 + r.intn(20)))
	}
	if r.chance(pZeroSeconds) {
		secsOut = 0
	}
	missSeconds := r.chance(pMissingSeconds)
	milesOut := int64(0) // hundredths of a mile
	if !r.chance(pZeroMiles) {
		m := miles * (1 + 0.05*r.norm())
		if r.chance(0.03) {
			milesOut = int64(math.Round(math.Max(m, 0.01) * 100))
		} else {
			milesOut = 10 * int64(math.Round(math.Max(m, 0.1)*10))
		}
		if r.chance(pMilesOutlier) {
			milesOut *= 100
		}
	}

	// Who paid, how and how much tip.
	pay := g.payment(hour, fareC)
	tipC := int64(0)
	switch pay {
	case payCash:
		if r.chance(pCashTip) {
			tipC = 100 * int64(1+r.intn(3))
		}
	case payCredit:
		tipC = g.cardTip(hour, fareC)
	case payUnknown:
		if r.chance(pUnknownTip) {
			tipC = g.cardTip(hour, fareC)
		}
	}
	if fareC == 0 {
		tipC = 0
	}
	if tipC > 0 && tipC*5 == fareC {
		// Keep the label away from a tie, where float32 and float64 could disagree.
		fareC += 5
	}
	missCompany := r.chance(pMissingCompany)
	comp := g.company.pick(r)

	// Write.
	pickupArea, dropoffArea := g.areas[pa], g.areas[da]
	if !missPickup {
		b = strconv.AppendInt(b, int64(pa), 10)
	}
	b = append(b, ',')
	b = appendCents(b, fareC)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(month), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(hour), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(weekday(day)), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, ',')
	if !missPickup {
		t := &pickupArea.tracts[pt]
		b = append(b, t.lat...)
		b = append(b, ',')
		b = append(b, t.lon...)
	} else {
		b = append(b, ',')
	}
	b = append(b, ',')
	if !missDropoff {
		t := &dropoffArea.tracts[dt]
		b = append(b, t.lat...)
		b = append(b, ',')
		b = append(b, t.lon...)
	} else {
		b = append(b, ',')
	}
	b = append(b, ',')
	b = appendCents(b, milesOut)
	b = append(b, ',')
	if showPickupTract && !missPickup {
		b = strconv.AppendInt(b, pickupArea.tracts[pt].id, 10)
	}
	b = append(b, ',')
	if !missDropoff && !missDropoffTract {
		b = strconv.AppendInt(b, dropoffArea.tracts[dt].id, 10)
	}
	b = append(b, ',')
	b = append(b, paymentTypes[pay]...)
	b = append(b, ',')
	if !missCompany {
		b = append(b, companies[comp].name...)
	}
	b = append(b, ',')
	if !missSeconds {
		b = strconv.AppendInt(b, secsOut, 10)
	}
	b = append(b, ',')
	if !missDropoff && !missDropoffArea {
		b = strconv.AppendInt(b, int64(da), 10)
	}
	b = append(b, ',')
	b = appendCents(b, tipC)
	return append(b, '\n')
}

// payment draws the payment type: a few rare kinds, then cash or card, card
// more likely for larger fares and in the evening.
func (g *generator) payment(hour int, fareC int64) int {
	u := g.r.float()
	for _, rp := range rarePayments {
		if u < rp.p {
			return rp.kind
		}
		u -= rp.p
	}
	p := 0.30 + 0.14*math.Min(math.Max((float64(fareC)-800)/3000, 0), 1)
	switch {
	case hour >= 17:
		p += 0.04
	case hour <= 4:
		p += 0.03
	case hour >= 6 && hour <= 9:
		p -= 0.03
	}
	if g.r.chance(p) {
		return payCredit
	}
	return payCash
}

// Tip presets of the card readers, in percent, and how often each is chosen
// in the morning commute, by default and at night.
var (
	tipPresets       = []int64{15, 18, 22, 25, 30}
	tipPresetMorning = newWeighted([]uint32{26, 20, 24, 17, 13})
	tipPresetDay     = newWeighted([]uint32{15, 12, 28, 25, 20})
	tipPresetNight   = newWeighted([]uint32{8, 8, 30, 29, 25})
)

// cardTip draws a card tip in cents: none, a flat amount of dollars (most
// common on small fares, where it is a large share), a preset percentage or a
// custom one. Night riders pick higher presets, morning commuters lower ones.
func (g *generator) cardTip(hour int, fareC int64) int64 {
	r := g.r
	if r.chance(pCreditNoTip) {
		return 0
	}
	pFlat := 0.15
	switch {
	case fareC < 1000:
		pFlat = 0.55
	case fareC < 2000:
		pFlat = 0.3
	}
	if r.chance(pFlat) {
		maxDollars := 5
		switch {
		case fareC < 600:
			maxDollars = 2
		case fareC < 1200:
			maxDollars = 3
		}
		return 100 * int64(1+r.intn(maxDollars))
	}
	var pct float64
	if r.chance(0.1) {
		pct = 5 + 35*r.float()
	} else {
		presets := &tipPresetDay
		switch {
		case hour >= 22 || hour <= 3:
			presets = &tipPresetNight
		case hour >= 6 && hour <= 9:
			presets = &tipPresetMorning
		}
		pct = float64(tipPresets[presets.pick(r)])
	}
	return int64(math.Round(float64(fareC) * pct / 100))
}

// appendCents appends an amount in hundredths as the real file writes floats:
// the shortest decimal, with at least one digit after the point ("12.45",
// "12.5", "0.0").
func appendCents(b []byte, c int64) []byte {
	b = strconv.AppendInt(b, c/100, 10)
	b = append(b, '.')
	f := c % 100
	switch {
	case f == 0:
		return append(b, '0')
	case f%10 == 0:
		return append(b, byte('0'+f/10))
	default:
		return append(b, byte('0'+f/10), byte('0'+f%10))
	}
}
