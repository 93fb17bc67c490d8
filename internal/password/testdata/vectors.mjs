// Produces the test vectors in vectors_test.go with the libraries Logto itself uses, so the Go
// verifiers are checked against independent implementations, not against themselves.
//
//   mkdir /tmp/v && cd /tmp/v && npm init -y && npm i hash-wasm@4.13.0 bcryptjs@3.0.3
//   cp vectors.mjs /tmp/v/ && node /tmp/v/vectors.mjs   (ESM resolves packages next to the script)
//
// Node 20 (node:crypto, OpenSSL 3) for the digests, pbkdf2 and scrypt; hash-wasm (Logto's
// argon2 and bcrypt library) for argon2 and $2a$ bcrypt; bcryptjs for $2b$ bcrypt. Argon2 and
// hash-wasm bcrypt use a fixed salt, so they reproduce exactly; bcryptjs draws a random salt.
import crypto from 'node:crypto';
import { argon2i, argon2id, argon2d, bcrypt } from 'hash-wasm';
import bcryptjs from 'bcryptjs';

const pw = 'correct horse battery staple';
const pwU = 'pässwörd-日本';
const salt = Buffer.from('0123456789abcdef');
const a2 = (fn, password, iterations, parallelism, memorySize, hashLength) =>
  fn({ password, salt, iterations, parallelism, memorySize, hashLength, outputType: 'encoded' });
const out = {};
// Logto's own parameters (core/workers/tasks/argon2i.ts).
out.argon2iLogto = await a2(argon2i, pw, 8, 1, 8192, 32);
out.argon2iLogtoUnicode = await a2(argon2i, pwU, 8, 1, 8192, 32);
out.argon2idOWASP = await a2(argon2id, pw, 2, 1, 19456, 32);
out.argon2idOther = await a2(argon2id, pw, 3, 2, 4096, 24);
out.argon2d = await a2(argon2d, pw, 2, 1, 4096, 32);
out.bcrypt2a = await bcrypt({ password: pw, salt, costFactor: 10, outputType: 'encoded' });
out.bcrypt2b = bcryptjs.hashSync(pw, 6);
out.bcrypt2bUnicode = bcryptjs.hashSync(pwU, 5);
out.bcrypt2bLong = bcryptjs.hashSync('x'.repeat(80), 4); // bcrypt reads 72 bytes
const hex = (alg, s) => crypto.createHash(alg).update(s).digest('hex');
out.md5 = hex('md5', pw);
out.sha1 = hex('sha1', pw);
out.sha256 = hex('sha256', pw);
out.sha256Unicode = hex('sha256', pwU);
const legacy = (alg, args) =>
  JSON.stringify([alg, args, hex(alg, args.map((a) => (a === '@' ? pw : a)).join(''))]);
for (const [name, alg, args] of [
  ['legacySHA256', 'sha256', ['@']],
  ['legacyMD5Salted', 'md5', ['salt123', '@']],
  ['legacySHA512Wrapped', 'sha512', ['pre', '@', 'post']],
  ['legacySHA1Upper', 'SHA1', ['@', 'x']],
  ['legacyRSASHA256', 'RSA-SHA256', ['@']],
  ['legacySHA224', 'sha224', ['@']],
  ['legacySHA384', 'sha384', ['@']],
  ['legacySHA512_256', 'sha512-256', ['@']],
  ['legacySHA3_256', 'sha3-256', ['@']],
  ['legacySHAKE256', 'shake256', ['@']],
  ['legacyBLAKE2b512', 'blake2b512', ['@']],
  ['legacyRIPEMD160', 'ripemd160', ['@']],
  ['legacyMD5SHA1', 'md5-sha1', ['@']],
]) out[name] = legacy(alg, args);
const pbkdf2 = (alg, s, iterations, keylen, digest) => {
  const bin = s.startsWith('hex:') ? Buffer.from(s.slice(4), 'hex') : s;
  const sum = crypto.pbkdf2Sync(pw, bin, iterations, keylen, digest).toString('hex');
  return JSON.stringify([alg, [s, String(iterations), String(keylen), digest, '@'], sum]);
};
out.pbkdf2SHA1 = pbkdf2('pbkdf2', 'saltsalt', 1000, 20, 'sha1');
out.pbkdf2SHA256 = pbkdf2('pbkdf2', 'saltsalt', 10000, 32, 'sha256');
out.pbkdf2SHA512Hex = pbkdf2('pbkdf2', 'hex:00ff10a0', 5000, 64, 'sha512');
out.pbkdf2SyncSHA256 = pbkdf2('pbkdf2Sync', 'abc', 100, 16, 'sha256');
// Firebase's modified scrypt exactly as Logto computes it (core/utils/firebase-scrypt.ts).
const fbSalt = 'c2FsdHNhbHRzYWx0', fbSep = 'Bw==';
const fbKey = Buffer.from('gatehouse-firebase-signer-key-for-tests-only-0123456789abcdefABC').toString('base64');
const dk = crypto.scryptSync(pw, Buffer.concat([Buffer.from(fbSalt, 'base64'), Buffer.from(fbSep, 'base64')]), 32,
  { N: 2 ** 14, r: 8, p: 1 });
const ctr = crypto.createCipheriv('aes-256-ctr', dk, Buffer.alloc(16, 0));
const fbHash = Buffer.concat([ctr.update(Buffer.from(fbKey, 'base64')), ctr.final()]).toString('base64');
out.firebaseScrypt = JSON.stringify(['firebase-scrypt', [fbSalt, fbKey, fbSep, '8', '14', '@'], fbHash]);
for (const [k, v] of Object.entries(out)) console.log(`${k}: ${JSON.stringify(v)}`);
