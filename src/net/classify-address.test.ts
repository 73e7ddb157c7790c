import { describe, expect, it } from 'vitest';
import { classifyAddress } from './classify-address.ts';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT (CGNAT) address'],
    ['0.0.0.0', 'an unspecified address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['240.0.0.1', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['fd00::1', 'a unique-local address'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'an IPv4-mapped address'],
    ['::ffff:8.8.8.8', 'an IPv4-mapped address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'a Teredo address'],
    ['2002:7f00:1::', 'a 6to4 address of a loopback address'],
    ['64:ff9b::a9fe:a9fe', 'a NAT64 address of a link-local address'],
    ['vm', 'not an IP address'],
  ])('refuses %s as %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '157.240.1.35',
    '2a03:2880:f10c:83:face:b00c:0:25de',
    '2002:808:808::',
    '64:ff9b::808:808',
  ])('lets the public address %s through', (address) => {
    expect(classifyAddress(address)).toBeNull();
  });
});
