package functions

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/cespare/xxhash/v2"

	"github.com/huntbook/huntbook/kql/types"
)

// hashBytes is the byte form Kusto hashes: UTF-8 for strings, 8 little-endian
// bytes for longs, .NET ticks for datetimes, IEEE bits for reals.
func hashBytes(v types.Value) []byte {
	var b [8]byte
	switch v.Type {
	case types.Int:
		binary.LittleEndian.PutUint32(b[:4], uint32(v.I))
		return b[:4]
	case types.Long, types.TimeSpan, types.Bool:
		binary.LittleEndian.PutUint64(b[:], uint64(v.I))
		return b[:]
	case types.DateTime:
		binary.LittleEndian.PutUint64(b[:], uint64(v.I+NetEpochTicks))
		return b[:]
	case types.Real, types.Decimal:
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v.F))
		return b[:]
	}
	return []byte(ToString(v))
}

func init() {
	xx := func(name string) {
		def(name, name+"(source [, mod])", "The xxhash64 of a value as a long, optionally modulo mod.", 1, 2, "ai", fixed(types.Long),
			func(_ *Env, a []types.Value) (types.Value, error) {
				if a[0].IsNull() {
					return types.NullOf(types.Long), nil
				}
				h := xxhash.Sum64(hashBytes(a[0]))
				if len(a) == 2 {
					m, ok := ToLong(a[1])
					if !ok {
						return types.NullOf(types.Long), nil
					}
					if m <= 0 {
						return types.NullOf(types.Long), fmt.Errorf("%s(): mod must be positive, got %d", name, m)
					}
					return longV(int64(h % uint64(m))), nil
				}
				return longV(int64(h)), nil
			})
	}
	xx("hash")
	xx("hash_xxhash64")
	crypto := func(name string, f func([]byte) []byte) {
		def(name, name+"(source)", "The "+name[5:]+" hash of a value's string form, as lower-case hex.", 1, 1, "a", fixed(types.String),
			func(_ *Env, a []types.Value) (types.Value, error) {
				if a[0].IsNull() {
					return strV(""), nil
				}
				return strV(hex.EncodeToString(f([]byte(ToString(a[0]))))), nil
			})
	}
	crypto("hash_sha256", func(b []byte) []byte { s := sha256.Sum256(b); return s[:] })
	crypto("hash_sha1", func(b []byte) []byte { s := sha1.Sum(b); return s[:] })
	crypto("hash_md5", func(b []byte) []byte { s := md5.Sum(b); return s[:] })
	def("new_guid", "new_guid()", "A new random (version 4) GUID.", 0, 0, "", fixed(types.GUID),
		func(env *Env, _ []types.Value) (types.Value, error) {
			var b [16]byte
			binary.LittleEndian.PutUint64(b[:8], env.uint64())
			binary.LittleEndian.PutUint64(b[8:], env.uint64())
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			h := hex.EncodeToString(b[:])
			return types.NewGUID(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]), nil
		})
}
